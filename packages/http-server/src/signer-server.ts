import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TezsignerError } from '@tezsigner/core';
import { createSignerApp } from './signer-app.js';
import type { SignerAppOptions } from './signer-app-options.js';

export interface SignerServerOptions extends SignerAppOptions {
  /** default 127.0.0.1: a signer is reachable from elsewhere only when asked */
  readonly host?: string;
  /** default 6732 (octez's); 0 picks a free port */
  readonly port?: number;
  /** how long close() lets requests in flight finish before cutting connections */
  readonly shutdownGraceMs?: number;
}

export interface RunningSignerServer {
  /** e.g. http://127.0.0.1:6732 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting connections, lets requests in flight finish (their watermarks and
   * answers complete), then closes. Idempotent.
   */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 6732;

function listenError(err: NodeJS.ErrnoException, host: string, port: number): TezsignerError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new TezsignerError('CONFIG_INVALID', `cannot listen on ${where}: the port is already in use`, { cause: err });
    case 'EACCES':
      return new TezsignerError('CONFIG_INVALID', `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`, { cause: err });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new TezsignerError('CONFIG_INVALID', `cannot listen on ${where}: no such address on this machine`, { cause: err });
    default:
      return new TezsignerError('CONFIG_INVALID', `cannot listen on ${where}: ${err.message}`, { cause: err });
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts the signer's HTTP server; resolves once it accepts connections. */
export async function startSignerServer(options: SignerServerOptions): Promise<RunningSignerServer> {
  const host = options.host ?? DEFAULT_HOST;
  const requestedPort = options.port ?? DEFAULT_PORT;
  const app = createSignerApp(options);
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenError(err, host, requestedPort));
    server.once('error', onError);
    server.listen(requestedPort, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const grace = options.shutdownGraceMs ?? 5_000;
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
  return { url: urlOf(host, port), host, port, close };
}
