import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { captureLog } from '../../../../test-support/log-capture.js';
import { expectNoStackTrace } from './run-cli.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A command run as its own process (the installed `tezsigner`, a shell running the README's
 * command): its output collected, its exit awaited, its output searched for stack traces.
 */
export class CommandChild {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;

  constructor(command: string, args: readonly string[], options: SpawnOptions) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    // everything it prints joins the run's log secret check
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
      captureLog(chunk.toString('utf8'));
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
      captureLog(chunk.toString('utf8'));
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        try {
          expectNoStackTrace(this.stdout, `stdout of ${command}`);
          expectNoStackTrace(this.stderr, `stderr of ${command}`);
          resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** The URL `serve` says it listens on; fails if the process ends first. */
  async listening(): Promise<string> {
    return new Promise((resolve, reject) => {
      const look = (): void => {
        const url = /listening on (http:\/\/\S+)/.exec(this.stderr)?.[1];
        if (url === undefined) return;
        this.child.stderr?.off('data', look);
        resolve(url);
      };
      this.child.stderr?.on('data', look);
      look();
      void this.exited.then(
        (exit) => reject(new Error(`exited (${exit.code ?? exit.signal}) before listening:\n${exit.stdout}\n${exit.stderr}`)),
        reject,
      );
    });
  }

  /** Sends `signal` (to the whole process group with `group`, as a terminal's Ctrl-C does) and waits for the exit. */
  async stop(signal: NodeJS.Signals, group = false): Promise<Exit> {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error('no process');
    process.kill(group ? -pid : pid, signal);
    return this.exited;
  }

  /** Ends what a failed test left running. */
  kill(group = false): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(group ? -pid : pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether something still accepts connections at `url` (a stopped signer must free its port). */
export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}
