import type { Server } from 'node:http';

/**
 * How long and how much one client may hold the signer. Node's defaults (300 s per request,
 * no connection cap) suit a web server streaming uploads; a baker sends a few hundred bytes
 * and expects an answer within its slot, so anything slower is a stuck or hostile client.
 */
export interface HttpLimits {
  /** time to receive a request's headers, from its first byte (slow-loris guard) */
  readonly headersTimeoutMs: number;
  /** time to receive a whole request; covers the slowest backend deadline with room to spare */
  readonly requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this long */
  readonly keepAliveTimeoutMs: number;
  /** connections held at once; new ones are refused beyond this */
  readonly maxConnections: number;
  /** requests served on one connection before the server asks the client to reconnect */
  readonly maxRequestsPerSocket: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 15_000,
  maxConnections: 4_096,
  maxRequestsPerSocket: 10_000,
};

export function httpLimits(given: Partial<HttpLimits> = {}): HttpLimits {
  return { ...DEFAULT_HTTP_LIMITS, ...given };
}

/**
 * Options only the server constructor takes. Node checks the header and request timeouts on
 * a timer (30 s by default), so a timeout of a few seconds needs a finer check.
 */
export function serverConstructorLimits(limits: HttpLimits): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

export function applyHttpLimits(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
}
