import { text } from 'node:stream/consumers';
import type { CliIo } from './cli-io.js';
import { waitForStopSignal } from './shutdown.js';
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
    readStdin: process.stdin.isTTY ? undefined : () => text(process.stdin),
    waitForStop: () => waitForStopSignal(stderr),
  };
}
