import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

import { nodeEntry } from '../../../../test-support/bundled-entry.js';

const REPO = resolve(import.meta.dirname, '../../../..');

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code */
  stop(): Promise<number | null>;
}

/** `tezsigner serve` as its own process (from the sources), once it listens. */
export async function startServeProcess(args: readonly string[], env: Record<string, string>): Promise<ServeProcess> {
  const node = await nodeEntry('packages/cli/src/main.ts');
  const child = spawn(process.execPath, [...node.args, 'serve', '--port', '0', '--metrics-port', '0', ...args], {
    cwd: REPO,
    env: { ...process.env, ...node.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((found, fail) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) found(match[1]);
    });
    void exited.then((code) => fail(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export { REPO };
