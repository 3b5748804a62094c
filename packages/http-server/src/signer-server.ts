import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createReloadableAuthenticator } from './access/authenticator.js';
import { applyHttpLimits, httpLimits, serverConstructorLimits, type HttpLimits } from './http-limits.js';
import { listenOn, urlOf } from './listen.js';
import { createSignerApp } from './signer-app.js';
import type { SignerAppOptions } from './signer-app-options.js';
import { tlsServerOptions, type TlsMaterial } from './access/tls.js';
import { earliestExpiry } from './access/certificate-expiry.js';

export interface SignerServerOptions extends SignerAppOptions {
  /** default 127.0.0.1: a signer is reachable from elsewhere only when asked */
  readonly host?: string | undefined;
  /** default 6732 (octez's); 0 picks a free port */
  readonly port?: number | undefined;
  /** how long close() lets requests in flight finish before cutting connections */
  readonly shutdownGraceMs?: number | undefined;
  /** serve HTTPS with this certificate (and require client certificates when it has a CA) */
  readonly tls?: TlsMaterial | undefined;
  /** timeouts and caps; DEFAULT_HTTP_LIMITS for what is not given */
  readonly limits?: Partial<HttpLimits> | undefined;
}

export interface RunningSignerServer {
  /** e.g. http://127.0.0.1:6732 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Swaps the authorized keys for requests that arrive from now on; a bad key throws
   * CONFIG_INVALID and the old keys stay.
   */
  replaceAuthorizedKeys(keys: readonly string[]): void;
  /**
   * Swaps certificate, key and client CA for connections made from now on (HTTPS only;
   * whether client certificates are required is fixed at start).
   */
  replaceTls(material: TlsMaterial): void;
  /**
   * Stops accepting connections, lets requests in flight finish (their watermarks and
   * answers complete), then closes. Idempotent.
   */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 6732;
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** Starts the signer's HTTP(S) server; resolves once it accepts connections. */
export async function startSignerServer(options: SignerServerOptions): Promise<RunningSignerServer> {
  const host = options.host ?? DEFAULT_HOST;
  const limits = httpLimits(options.limits);
  const auth = createReloadableAuthenticator(options.authorizedKeys ?? []);
  const app = createSignerApp(options, auth);
  const tls = options.tls;
  const server: Server | HttpsServer =
    tls === undefined
      ? createServer(serverConstructorLimits(limits), app)
      : // a client that opens a connection and never completes the handshake is cut off like a slow header
        createHttpsServer({ ...serverConstructorLimits(limits), ...tlsServerOptions(tls), handshakeTimeout: limits.headersTimeoutMs }, app);
  applyHttpLimits(server, limits);
  const port = await listenOn(server, host, options.port ?? DEFAULT_PORT);
  const observeCertificates = (material: TlsMaterial): void => {
    options.metrics?.observeCertificate('server', earliestExpiry(material.cert));
    options.metrics?.observeCertificate('client_ca', material.ca === undefined ? undefined : earliestExpiry(material.ca));
  };
  if (tls !== undefined) observeCertificates(tls);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      // Keep-alive connections that finish their request after close() began stay open
      // unless closed again, so keep sweeping idle ones until the server is done.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      const force = setTimeout(() => server.closeAllConnections(), grace);
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return {
    url: urlOf(tls === undefined ? 'http' : 'https', host, port),
    host,
    port,
    replaceAuthorizedKeys: (keys) => auth.replace(keys),
    replaceTls(material) {
      if (!('setSecureContext' in server)) throw new Error('replaceTls: this server does not serve HTTPS');
      server.setSecureContext(material);
      observeCertificates(material);
    },
    close,
  };
}
