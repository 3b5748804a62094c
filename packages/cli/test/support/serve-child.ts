import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { captureLog, registerSecret } from '../../../../test-support/log-capture.js';
import { expectNoStackTrace } from './run-cli.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';

const REPO = resolve(import.meta.dirname, '../../../..');
/** The shipped entry point, run from sources. */
export const MAIN = 'packages/cli/src/main.ts';
/** The entry point with `--vault azure` wired to the Key Vault stand-in (see azure-serve-process.ts). */
export const AZURE_MAIN = 'packages/cli/test/support/azure-serve-process.ts';

/** `tezsigner serve` as its own process (the installed command's code path), its output kept. */
export interface ServeChild {
  readonly child: ChildProcess;
  /** the signing URL, once listening */
  readonly url: string;
  /** the metrics listener's base URL, when it started */
  readonly metricsUrl: string | undefined;
  stderr(): string;
  stdout(): string;
  /** resolves once stderr holds a line matching `pattern` (after what was seen so far) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<number | null>;
  kill(): void;
  /** SIGTERM, then SIGKILL if it has not stopped within 10 s */
  stop(): Promise<void>;
}

/** The environment holds no Azure identity of this machine, only what `env` gives. */
export async function spawnServe(args: readonly string[], env: Record<string, string>, entry = MAIN): Promise<ServeChild> {
  registerSecret(env['TEZSIGNER_PASSPHRASE']);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|IDENTITY_|MSI_)/.test(name)));
  // bundled from the sources (see bundled-entry.ts): node starts it without loading every file through tsx
  const node = await nodeEntry(entry);
  const child = spawn(process.execPath, [...node.args, 'serve', ...args], {
    cwd: REPO,
    env: { ...inherited, ...node.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let consumed = 0;
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    captureLog(chunk.toString('utf8'));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    captureLog(chunk.toString('utf8'));
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((found, fail) => {
      const check = (): void => {
        const rest = stderr.slice(consumed);
        const match = pattern.exec(rest);
        if (match === null) return;
        consumed += match.index + match[0].length;
        done();
        found(match[0]);
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`no ${String(pattern)} on stderr within ${timeoutMs} ms: ${stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((code) => {
        if (!listeners.has(check)) return;
        done();
        fail(new Error(`serve exited with ${code}: ${stderr}`));
      });
      check();
    });
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(killer);
    expectNoStackTrace(stdout, 'stdout of tezsigner serve');
    expectNoStackTrace(stderr, 'stderr of tezsigner serve');
  };
  try {
    const listening = await waitFor(/listening on (https?:\/\/\S+)/);
    const url = /listening on (https?:\/\/\S+)/.exec(listening)?.[1] ?? '';
    const metricsUrl = /metrics and health on (http:\/\/\S+)\/metrics/.exec(stderr)?.[1];
    return { child, url, metricsUrl, stderr: () => stderr, stdout: () => stdout, waitFor, exited, kill, stop };
  } catch (err) {
    kill();
    throw err;
  }
}

/** `tezsigner serve` on a free loopback port, for tests that only sign through it. */
export const startServe = (args: readonly string[], env: Record<string, string>, entry = MAIN): Promise<ServeChild> =>
  spawnServe(['--address', '127.0.0.1', '--port', '0', '--no-metrics', ...args], env, entry);

/** POSTs `hex` for signing with `pkh`, as octez-client does. */
export async function postSign(url: string, pkh: string, hex: string): Promise<{ status: number; signature?: string; error?: { code: string } }> {
  const response = await fetch(`${url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hex) });
  const body = (await response.json()) as { signature?: string; error?: { code: string } };
  return { status: response.status, ...body };
}

/**
 * How many lines of serve's request log (its stdout) are of requests refused with `code`. Only
 * those: a readiness probe's warning names the code too, and it can reach stdout a moment after
 * the case that caused it, inside the next case's count.
 */
export const refusedLines = (stdout: string, code: string): number =>
  stdout.split('\n').filter((line) => line.includes('"msg":"request"') && line.includes(`"error":"${code}"`)).length;
