import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../../../test-support/free-port.js';

export { freePort };

/** The well-known Azurite development account (public, documented by Microsoft). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Listen on this port (to restart on the port of a stopped instance); a free one otherwise. */
  readonly port?: number;
  /** Persist to this folder (survives a restart); in memory otherwise. */
  readonly location?: string;
  /** Serve HTTPS with this PEM certificate and key, and accept bearer tokens (`--oauth basic`). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface Azurite {
  readonly port: number;
  /** Path-style endpoint of the dev account: http(s)://127.0.0.1:<port>/devstoreaccount1 */
  readonly tableEndpoint: string;
  readonly connectionString: string;
  /** Stops gracefully (SIGINT: Azurite saves its database first) and waits for the exit. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The JS entry of `azurite-table`, run with this Node directly: no shell, a pid we own. */
function azuriteTableMain(): string {
  const pkg = require.resolve('azurite/package.json', { paths: [process.cwd(), import.meta.dirname] });
  return join(dirname(pkg), 'dist', 'src', 'table', 'main.js');
}

export function devConnectionString(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `TableEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`
  );
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`azurite-table exited before listening on ${port}: ${output()}`);
    }
    // Azurite prints this line once its HTTP server is bound; the probe guards against a race.
    if (output().includes('successfully started') && (await portAnswers(port))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`azurite-table did not listen on ${port} within 20 s: ${output()}`);
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const port = options.port ?? (await freePort());
  // Our temp folders, removed at stop: Azurite's cwd in memory mode, the TLS files.
  const scratch = await mkdtemp(join(tmpdir(), 'azurite-'));
  const removeScratch = () => rm(scratch, { recursive: true, force: true });
  const location = options.location ?? scratch;
  const args = [
    azuriteTableMain(),
    '--tableHost', '127.0.0.1',
    '--tablePort', String(port),
    '--skipApiVersionCheck',
    '--silent',
    '--disableTelemetry',
    '--loose',
    // Azurite refuses --location with --inMemoryPersistence; in memory mode it uses its cwd.
    ...(options.location === undefined ? ['--inMemoryPersistence'] : ['--location', location]),
  ];
  if (options.tls !== undefined) {
    await writeFile(join(scratch, 'cert.pem'), options.tls.cert);
    await writeFile(join(scratch, 'key.pem'), options.tls.key, { mode: 0o600 });
    args.push('--cert', join(scratch, 'cert.pem'), '--key', join(scratch, 'key.pem'), '--oauth', 'basic');
  }
  const child = spawn(process.execPath, args, { cwd: location, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilListening(child, port, () => output);
  } catch (err) {
    await exited;
    await removeScratch();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await removeScratch();
    })();
    await stopping;
  };
  const scheme = options.tls === undefined ? 'http' : 'https';
  const tableEndpoint = `${scheme}://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return {
    port,
    tableEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=${scheme};AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
    stop,
  };
}
