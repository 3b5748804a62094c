import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../../../..');
/** The shipped entry point, run from sources. */
export const MAIN = 'packages/cli/src/main.ts';
/** The entry point with `--vault azure` wired to the Key Vault stand-in (see azure-serve-process.ts). */
export const AZURE_MAIN = 'packages/cli/test/support/azure-serve-process.ts';

export interface ServeChild {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not stopped within 10 s */
  stop(): Promise<void>;
}

/**
 * `tezsigner serve` as a child process on a free loopback port, resolved once it listens.
 * The environment holds no Azure identity of this machine, only what `env` gives.
 */
export async function startServe(args: readonly string[], env: Record<string, string>, entry = MAIN): Promise<ServeChild> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|IDENTITY_|MSI_)/.test(name)));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, 'serve', '--address', '127.0.0.1', '--port', '0', ...args], {
    cwd: REPO,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  const url = await new Promise<string>((found, fail) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) found(match[1]);
    });
    void exited.then(() => fail(new Error(`serve exited before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** POSTs `hex` for signing with `pkh`, as octez-client does. */
export async function postSign(url: string, pkh: string, hex: string): Promise<{ status: number; signature?: string; error?: { code: string } }> {
  const response = await fetch(`${url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hex) });
  const body = (await response.json()) as { signature?: string; error?: { code: string } };
  return { status: response.status, ...body };
}
