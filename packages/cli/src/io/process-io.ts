import { text } from 'node:stream/consumers';
import type { CliIo } from './cli-io.js';
import { promptLineOnTty } from './tty-line-prompt.js';
import { waitForStopSignal } from '../shutdown.js';
import { promptSecretOnTty } from './tty-secret-prompt.js';

/**
 * Writes to standard output or error without ever throwing nor crashing the process: once the
 * reader has gone (`tezsigner keys list | head -1` closes the pipe: EPIPE; a closed terminal:
 * EIO) the rest of the output has nowhere to go and is dropped, and the command ends normally.
 */
function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', () => {
    closed = true;
  });
  return (chunk) => {
    if (!closed) stream.write(chunk);
  };
}

/** The real process: its streams, environment, terminal and stop signals. */
export function processIo(): CliIo {
  const stderr = writerTo(process.stderr);
  return {
    stdout: writerTo(process.stdout),
    stderr,
    env: process.env,
    promptSecret: process.stdin.isTTY
      ? (question) => promptSecretOnTty(process.stdin, process.stderr, question)
      : undefined,
    promptLine: process.stdin.isTTY ? (question) => promptLineOnTty(process.stdin, process.stderr, question) : undefined,
    readStdin: process.stdin.isTTY ? undefined : () => text(process.stdin),
    waitForStop: () => waitForStopSignal(stderr),
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
