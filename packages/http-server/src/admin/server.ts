import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { TezsignerError } from '@tezsigner/core';
import { createAdminApp, type PendingQueue } from './app.js';

export interface RunningAdminServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Whether something answers on the socket (a signer already running on this home). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Serves the admin channel on a Unix socket, reachable only from this machine by the users the
 * socket's folder lets in (the home is 0700, the socket 0600), and only with the token. A socket
 * left by a signer that died is replaced; one still answered by a running signer is not.
 */
export async function startAdminServer(options: { socketPath: string; token: string; pending: PendingQueue }): Promise<RunningAdminServer> {
  const { socketPath } = options;
  if (await answers(socketPath)) {
    throw new TezsignerError('CONFIG_INVALID', `another signer already serves the admin socket ${socketPath}: stop it, or give this one its own home`);
  }
  await unlink(socketPath).catch(() => undefined);
  const server: Server = createServer(createAdminApp(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new TezsignerError('CONFIG_INVALID', `cannot serve the admin socket ${socketPath}: ${err.message}`, { cause: err })));
    server.listen(socketPath, resolve);
  });
  await chmod(socketPath, 0o600);
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
