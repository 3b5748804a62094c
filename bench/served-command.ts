// `tezsigner serve` as a process of its own, as a baker runs it: started, timed to its first
// "listening" line and to its first ready answer on /readyz, its resident memory read from
// /proc, its request log (stdout) read through a pipe and dropped, as journald reads the shipped
// systemd unit's (StandardOutput=journal), and stopped with SIGTERM as a service manager stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ServedCommand {
  readonly url: string;
  readonly metricsUrl: string;
  readonly pid: number;
  /** ms from the spawn to the "listening" line */
  readonly listeningMs: number;
  /** ms from the spawn to the first 200 of /readyz */
  readonly readyMs: number;
  /** what it printed on stderr so far */
  stderr(): string;
  /** ms from the spawn to when it first printed a line matching `pattern` on stderr */
  whenPrinted(pattern: RegExp, timeoutMs: number): Promise<number>;
  /** resident set size now, in bytes (Linux /proc) */
  rssBytes(): Promise<number>;
  /** SIGTERM, then waits for its exit */
  stop(): Promise<void>;
}

export interface ServeStart {
  /** the program and its first arguments: the installed `tezsigner`, or node with a source entry */
  readonly command: readonly string[];
  /** after `serve --port 0 --metrics-port 0` */
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const READY_POLL_MS = 20;
const START_TIMEOUT_MS = 120_000;

export async function startServedCommand({ command, args = [], env }: ServeStart): Promise<ServedCommand> {
  const [program = '', ...first] = command;
  const started = performance.now();
  const child: ChildProcess = spawn(program, [...first, 'serve', '--port', '0', '--metrics-port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  // a bench that fails on its way leaves no signer running behind it
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  // each line with when it came, for whenPrinted
  const lines: Array<{ text: string; ms: number }> = [];
  let partial = '';
  const printed: Array<{ pattern: RegExp; at: (ms: number) => void }> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.off('exit', killOnExit));
  try {
    const [url, metricsUrl] = await new Promise<[string, string]>((found, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      child.stderr?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        stderr += text;
        const ms = performance.now() - started;
        const complete = (partial + text).split('\n');
        partial = complete.pop() ?? '';
        for (const line of complete) {
          lines.push({ text: line, ms });
          for (const waiter of printed.filter(({ pattern }) => pattern.test(line))) {
            printed.splice(printed.indexOf(waiter), 1);
            waiter.at(ms);
          }
        }
        const listening = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
        const metrics = /metrics and health on (http:\/\/\S+)\/metrics/.exec(stderr)?.[1];
        if (listening !== undefined && metrics !== undefined) {
          clearTimeout(timer);
          found([listening, metrics]);
        }
      });
      void exited.then(() => fail(new Error(`serve exited before listening: ${stderr}`)));
    });
    const listeningMs = performance.now() - started;
    while ((await fetch(`${metricsUrl}/readyz`).catch(() => undefined))?.status !== 200) {
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`serve was not ready within ${START_TIMEOUT_MS} ms: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    const readyMs = performance.now() - started;
    const pid = child.pid ?? 0;
    return {
      url,
      metricsUrl,
      pid,
      listeningMs,
      readyMs,
      stderr: () => stderr,
      whenPrinted: (pattern, timeoutMs) => {
        const earlier = lines.find(({ text }) => pattern.test(text));
        if (earlier !== undefined) return Promise.resolve(earlier.ms);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`serve did not print ${String(pattern)} within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
          printed.push({ pattern, at: (ms) => (clearTimeout(timer), resolve(ms)) });
        });
      },
      rssBytes: async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
