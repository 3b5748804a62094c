import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { applyHttpLimits, httpLimits, serverConstructorLimits } from '../http-limits.js';
import type { SignerMetrics } from './metrics.js';
import { DEFAULT_READINESS_DEADLINE_MS, checkReadiness, type ReadinessProbe } from './readiness.js';
import { listenOn, urlOf } from '../listen.js';

/** Prometheus's port for Signatory, kept so dashboards and firewall rules carry over. */
export const DEFAULT_METRICS_PORT = 9583;

export interface HealthServerOptions {
  readonly metrics: SignerMetrics;
  readonly probes: readonly ReadinessProbe[];
  /** default 127.0.0.1: metrics name the keys served */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly readinessDeadlineMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

export interface RunningHealthServer {
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * The operator's listener, apart from the signing one so a scraper never needs signer access:
 * `/metrics` (Prometheus, readiness included), `/healthz` (the process answers) and `/readyz`
 * (every backend answered a probe in time; 503 with the reasons otherwise).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const deadlineMs = options.readinessDeadlineMs ?? DEFAULT_READINESS_DEADLINE_MS;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const probe = () => checkReadiness(options.probes, deadlineMs, (name, err) => options.logger?.warn({ probe: name, err }, 'readiness probe failed'));
    switch (path) {
      case '/metrics':
        // readiness as /readyz would answer now, so an alert needs no prober of its own
        options.metrics.observeReadiness((await probe()).probes);
        return send(res, 200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
      case '/healthz':
        return send(res, 200, 'application/json', '{"status":"alive"}\n');
      case '/readyz': {
        const readiness = await probe();
        const body = readiness.ready ? { status: 'ready' } : { status: 'not ready', reasons: readiness.reasons };
        return send(res, readiness.ready ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
      }
      default:
        return send(res, 404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
    }
  };
  const limits = httpLimits({ maxConnections: 64 });
  const server = createServer(serverConstructorLimits(limits), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger?.error({ err }, 'health endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
  applyHttpLimits(server, limits);
  const host = options.host ?? '127.0.0.1';
  const port = await listenOn(server, host, options.port ?? DEFAULT_METRICS_PORT);
  return {
    url: urlOf('http', host, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
