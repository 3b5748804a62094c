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
