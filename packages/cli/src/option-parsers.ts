import { TezsignerError } from '@tezsigner/core';

/** A TCP port from the command line: 0 (any free port) to 65535. */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new TezsignerError('CONFIG_INVALID', `--port ${JSON.stringify(text)} is not a port number (0 to 65535)`);
  }
  return Number(text);
}
