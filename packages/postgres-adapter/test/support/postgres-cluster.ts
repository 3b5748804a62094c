// A throwaway PostgreSQL cluster of a test's own, from Debian's `postgresql` package: initdb into
// a temporary folder, the server on a free loopback port (no Unix socket), password auth, and
// everything removed at the end. PostgreSQL refuses to run as root, so under root (CI) initdb and
// the server run as the `postgres` user, in a folder it owns.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../../test-support/free-port.js';
import { registerSecret } from '../../../../test-support/log-capture.js';

const SUPERUSER = 'tezsigner_test';

export interface PostgresCluster {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url(database?: string): string;
  /** a database of its own for one test or file (`CREATE DATABASE`), as a URL */
  createDatabase(name: string): Promise<string>;
  /** one statement as the superuser, on `database` (default `postgres`) */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult<R>>;
  /** a connection of the superuser's, for holding locks and transactions open */
  connect(database?: string): Promise<pg.Client>;
  /** fast shutdown (SIGINT): sessions cut, every commit kept */
  stop(): Promise<void>;
  /** immediate shutdown (SIGQUIT), as a crash: recovery from the WAL at the next start */
  crash(): Promise<void>;
  /** starts again on the same port and data */
  start(): Promise<void>;
  /** stops it and removes its folder */
  remove(): Promise<void>;
}

/** The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)');
  return join(root, versions[0], 'bin');
}

/** uid and gid of `postgres` when we are root (the server refuses root), else ours. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-pg-'));
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const password = `pg-${randomBytes(12).toString('hex')}`;
  registerSecret(password);
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner !== undefined) await chown(passwordFile, owner.uid, owner.gid);
  const spawnOptions = { ...(owner ?? {}), cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' } };
  await new Promise<void>((resolve, reject) => {
    const init = spawn(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], {
      ...spawnOptions,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    init.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    init.once('error', reject);
    init.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (${code}): ${errors}`))));
  });
  await rm(passwordFile);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGQUIT');
  process.once('exit', killOnExit);

  const start = async () => {
    const server = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'shared_buffers=16MB', '-c', 'fsync=on'],
      { ...spawnOptions, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = server;
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => server.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (!output.includes('ready to accept connections')) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`postgres exited before it was ready: ${output}`);
      if (Date.now() > deadline) {
        server.kill('SIGQUIT');
        throw new Error(`postgres was not ready within 30 s: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const signal = async (name: NodeJS.Signals) => {
    const server = child;
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
    server.kill(name);
    const killer = setTimeout(() => server.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  const url = (database = 'postgres') => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${database}`;
  const connect = async (database?: string) => {
    const client = new pg.Client({ connectionString: url(database) });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string) => {
    const client = await connect(database);
    try {
      return await client.query<R>(sql, params);
    } finally {
      await client.end();
    }
  };
  try {
    await start();
  } catch (err) {
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    user: SUPERUSER,
    password,
    url,
    async createDatabase(name) {
      await query(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    query,
    connect,
    stop: () => signal('SIGINT'),
    crash: () => signal('SIGQUIT'),
    start,
    async remove() {
      await signal('SIGINT');
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
