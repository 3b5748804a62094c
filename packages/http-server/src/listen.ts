import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TezsignerError } from '@tezsigner/core';

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

export function urlOf(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Listens on host:port; resolves with the port bound (the one picked, for port 0). */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenError(err, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
