import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLog, registerSecret } from '../../../../test-support/log-capture.js';
import type { CliIo } from '../../src/io/cli-io.js';
import { runCli } from '../../src/program.js';
import { afterEach, beforeEach } from 'vitest';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** the questions asked on the "terminal" */
  readonly asked: readonly string[];
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  /** answers typed on a terminal, in order; no terminal when absent */
  readonly typed?: readonly string[];
  /** resolves when `serve` should stop (a signal, in the real process) */
  readonly stop?: Promise<string>;
  /** sees stderr as it is written (to learn the URL of a server while it runs) */
  readonly onStderr?: (text: string) => void;
  /** standard input when it is a pipe (no terminal); absent: a terminal, or nothing piped */
  readonly stdin?: string;
}

/** A line of a JavaScript stack trace, as a user must never see one. */
const STACK_TRACE_LINE = /^\s+at (?:.+ \(.+:\d+:\d+\)|.+:\d+:\d+)\s*$/m;

/** Fails when `output` holds a stack trace: every CLI test's output goes through here. */
export function expectNoStackTrace(output: string, what = 'output'): void {
  const line = STACK_TRACE_LINE.exec(output);
  if (line !== null) throw new Error(`a stack trace in the ${what}: ${JSON.stringify(line[0])} in:\n${output}`);
}

/** Variables whose values must never reach a log (checked at the end of the run). */
const SECRET_ENV = ['TEZSIGNER_PASSPHRASE', 'TEZSIGNER_PKCS11_PIN', 'AZURE_TABLE_CONNECTION_STRING', 'TEZSIGNER_POSTGRES_URL', 'TEZSIGNER_TEST_AZURE_TOKEN'];

/** Runs one `tezsigner` command line in this process, with its own streams and environment. */
export async function runTezsigner(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const typed = options.typed === undefined ? undefined : [...options.typed];
  for (const answer of typed ?? []) registerSecret(answer);
  for (const name of SECRET_ENV) registerSecret(options.env?.[name]);
  const answerTyped =
    typed === undefined
      ? undefined
      : async (question: string): Promise<string> => {
          asked.push(question);
          const answer = typed.shift();
          if (answer === undefined) throw new Error(`unexpected question: ${question}`);
          return answer;
        };
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
      captureLog(text);
    },
    stderr: (text) => {
      stderr += text;
      captureLog(text);
      options.onStderr?.(text);
    },
    env: options.env ?? {},
    // secret or not, a question takes the next typed answer
    promptSecret: answerTyped,
    promptLine: answerTyped,
    readStdin: options.stdin === undefined ? undefined : async () => options.stdin ?? '',
    waitForStop: () => options.stop ?? new Promise<string>(() => undefined),
  };
  const code = await runCli(args, io);
  expectNoStackTrace(stdout, `stdout of tezsigner ${args.join(' ')}`);
  expectNoStackTrace(stderr, `stderr of tezsigner ${args.join(' ')}`);
  return { code, stdout, stderr, asked };
}

export async function tempHome(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'tezsigner-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A fresh home for each test of the file, removed after it, and the environment naming it and the vault passphrase. */
export function homePerTest(passphrase: string): { readonly path: string; readonly env: Record<string, string> } {
  const current = { path: '', env: {} as Record<string, string>, remove: async () => undefined as void };
  beforeEach(async () => {
    const home = await tempHome();
    Object.assign(current, { path: home.path, remove: home.remove, env: { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: passphrase } });
  });
  afterEach(() => current.remove());
  return current;
}

/**
 * A fresh home (or `path`) holding `keys`, imported as `tezsigner keys import` does, and the
 * environment that serves them; `remove` deletes it.
 */
export async function homeWithKeys(
  keys: ReadonlyArray<{ readonly secret: string; readonly name: string }>,
  passphrase: string,
  path?: string,
): Promise<{ env: Record<string, string>; remove: () => Promise<void> }> {
  const home = path === undefined ? await tempHome() : { path, remove: () => rm(path, { recursive: true, force: true }) };
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: passphrase };
  for (const { secret, name } of keys) {
    const imported = await runTezsigner(['keys', 'import', secret, '--name', name], { env });
    if (imported.code !== 0) throw new Error(`key import failed: ${imported.stderr}`);
  }
  return { env, remove: home.remove };
}

/** A failed run must say what went wrong in one line, without a stack trace. */
export function oneLineError(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  if (run.code === 0) throw new Error(`expected a failure, got exit 0; stderr: ${run.stderr}`);
  const errors = lines.filter((line) => line.startsWith('tezsigner: error: '));
  if (errors.length !== 1) throw new Error(`expected one error line, got: ${run.stderr}`);
  return errors[0] ?? '';
}
