import type { CliIo } from './cli-io.js';
import { promptLineOnTty } from './tty-line-prompt.js';
import { promptSecretOnTty } from './tty-secret-prompt.js';

/** The real process: its streams, environment, terminal and stop signals. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    promptSecret: process.stdin.isTTY
      ? (question) => promptSecretOnTty(process.stdin, process.stderr, question)
      : undefined,
    promptLine: process.stdin.isTTY ? (question) => promptLineOnTty(process.stdin, process.stderr, question) : undefined,
    waitForStop: () =>
      new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(signal);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
  };
}

/**
 * Runs the command line as the process and ends it with the command's exit code. Waiting for the
 * event loop to drain is not enough: a request no one will answer (a managed identity endpoint
 * that accepts the connection and stays silent) keeps it alive, and a signer that failed to start
 * must exit so its process manager restarts it. Writes to stdout/stderr are synchronous for
 * files and pipes on Linux, so nothing printed is lost.
 */
export async function runAsProcess(run: () => Promise<number>): Promise<never> {
  process.exit(await run());
}
