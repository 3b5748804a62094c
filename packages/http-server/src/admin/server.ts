import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { TezsignerError } from '@tezsigner/core';
import { createAdminApp, type AdminAppOptions } from './app.js';

export interface RunningAdminServer {
  readonly socketPath: string;
  /** where `tezsigner confirm` reads this socket's token: beside the socket */
  readonly tokenPath: string;
  close(): Promise<void>;
}

/** Each socket's token lives beside it: two signers with their own sockets never share one. */
export const adminTokenPath = (socketPath: string): string => `${socketPath}.token`;

const invalid = (message: string, cause?: unknown) => new TezsignerError('CONFIG_INVALID', message, { cause });

/** Whether something answers on the socket (a signer already running with it). */
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
 * Refuses a socket path that another user could take first or swap (a folder they can write or
 * own), or that a running signer serves: checked before the signer changes anything, and again
 * when it binds.
 */
export async function checkAdminSocketPath(socketPath: string): Promise<void> {
  const folder = dirname(socketPath);
  let info;
  try {
    info = await stat(folder);
  } catch (err) {
    throw invalid(`the folder of the admin socket ${socketPath} cannot be used (${(err as NodeJS.ErrnoException).code ?? 'error'}): give --admin-socket a path in a folder you own`, err);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw invalid(`the folder ${folder} of the admin socket belongs to another user: give --admin-socket a path in a folder only you can write`);
  if ((info.mode & 0o022) !== 0) throw invalid(`the folder ${folder} of the admin socket is writable by others (mode ${(info.mode & 0o777).toString(8)}), who could take the socket's place: give --admin-socket a path in a folder only you can write`);
  if (await answers(socketPath)) {
    throw invalid(`another signer already serves the admin socket ${socketPath}: give this one its own with --admin-socket <path> (or its own home)`);
  }
}

/**
 * Serves the admin channel on a Unix socket, reachable only from this machine by the users the
 * socket's folder lets in (the socket is 0600), and only with the token. The token, fresh each
 * start, is written 0600 beside the socket once the socket is bound, and both are removed on
 * stop. A socket left by a signer that died is replaced; one still answered is not.
 */
export async function startAdminServer(options: { socketPath: string } & Omit<AdminAppOptions, 'token'>): Promise<RunningAdminServer> {
  const { socketPath } = options;
  const tokenPath = adminTokenPath(socketPath);
  await checkAdminSocketPath(socketPath);
  const token = randomBytes(32).toString('hex');
  await unlink(socketPath).catch(() => undefined);
  const server: Server = createServer(createAdminApp({ ...options, token }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(invalid(`cannot serve the admin socket ${socketPath} (choose another with --admin-socket): ${err.message}`, err)));
    server.listen(socketPath, resolve);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    await chmod(socketPath, 0o600);
    const temp = `${tokenPath}.${process.pid}.tmp`;
    await writeFile(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, tokenPath);
  } catch (err) {
    await stop();
    throw invalid(`cannot write the admin token ${tokenPath}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return {
    socketPath,
    tokenPath,
    async close() {
      await stop();
      // only our own token: a signer that took the path over since keeps its own
      const current = await readFile(tokenPath, 'utf8').catch(() => undefined);
      if (current?.trim() === token) await unlink(tokenPath).catch(() => undefined);
    },
  };
}
