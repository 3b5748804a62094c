// A child process that speaks JSON lines (a command per stdin line, a message per stdout line),
// as the tests' signer processes do.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface JsonLineChild<M> {
  readonly child: ChildProcess;
  /** every message so far, in order */
  readonly messages: M[];
  send(command: object): void;
  /** the first message `match` accepts, among those seen before too; fails if the child exits first */
  next(match: (message: M) => boolean): Promise<M>;
  /** stderr so far */
  stderr(): string;
}

/**
 * Starts `entry` (a TypeScript file, bundled) under node with `nodeArgs` before it (e.g. an
 * --import) and resolves once it said `{"ready": true}`.
 */
export async function startJsonLineChild<M extends object>(
  entry: string,
  args: readonly string[],
  options: { readonly env?: Record<string, string>; readonly nodeArgs?: readonly string[] } = {},
): Promise<JsonLineChild<M>> {
  const node = await nodeEntry(entry);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...node.args, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...node.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: M[] = [];
  const waiters: Array<{ match: (m: M) => boolean; found: (m: M) => void }> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as M;
    messages.push(message);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(message)) waiter.found(message);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<never>((_, fail) => child.once('exit', (code, signal) => fail(new Error(`${entry} exited (${code ?? signal}): ${stderr}`))));
  exited.catch(() => undefined);
  const process_: JsonLineChild<M> = {
    child,
    messages,
    send: (command) => child.stdin!.write(`${JSON.stringify(command)}\n`),
    next: (match) => {
      const message = Promise.race([
        exited,
        new Promise<M>((found) => {
          const seen = messages.find(match);
          if (seen !== undefined) found(seen);
          else waiters.push({ match, found });
        }),
      ]);
      // a test that failed before awaiting it must not also fail the run when the child is stopped
      message.catch(() => undefined);
      return message;
    },
    stderr: () => stderr,
  };
  await process_.next((m) => (m as { ready?: boolean }).ready === true);
  return process_;
}

/** Stops what a test started, frozen or not. */
export function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
}
