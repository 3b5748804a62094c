import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { captureLog, registerSecret } from '../../../../test-support/log-capture.js';

const REPO = resolve(import.meta.dirname, '../../../..');

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
}

export async function spawnServe(args: readonly string[], env: Record<string, string>): Promise<ServeChild> {
  registerSecret(env['TEZSIGNER_PASSPHRASE']);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', 'serve', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
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
  try {
    const listening = await waitFor(/listening on (https?:\/\/\S+)/);
    const url = /listening on (https?:\/\/\S+)/.exec(listening)?.[1] ?? '';
    const metricsUrl = /metrics and health on (http:\/\/\S+)\/metrics/.exec(stderr)?.[1];
    return { child, url, metricsUrl, stderr: () => stderr, stdout: () => stdout, waitFor, exited, kill };
  } catch (err) {
    kill();
    throw err;
  }
}
