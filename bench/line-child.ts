// A helper process of a benchmark spoken to in lines: it prints one JSON line when it is up,
// then answers each line written to its stdin with one JSON line; closing its stdin stops it.
// The Key Vault stand-in and the bare server are such processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export class LineChild {
  readonly child: ChildProcess;
  readonly #waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    if (child.stdout === null) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => this.#waiting.shift()?.resolve(line));
    child.once('exit', (code) => {
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`${fileURLToPath(String(child.spawnargs.at(-1)))} exited with ${code}`));
    });
  }

  /** Starts a TypeScript file of the workspace (`script`, a URL) with `args`; its first line comes back with it. */
  static async start<T>(script: URL, args: readonly string[]): Promise<{ process: LineChild; first: T }> {
    const tsx = import.meta.resolve('tsx');
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, fileURLToPath(script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = new LineChild(child);
    return { process: lines, first: JSON.parse(await lines.#next()) as T };
  }

  /** Writes `line` and waits for the answer, a JSON line. */
  async ask<T>(line: string): Promise<T> {
    const answer = this.#next();
    this.child.stdin?.write(`${line}\n`);
    return JSON.parse(await answer) as T;
  }

  /** Writes `line` when no answer is awaited. */
  tell(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Closes its stdin, which stops it, and waits for its exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    await exited;
  }

  #next(): Promise<string> {
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }
}
