import { pino, type Level, type Logger } from 'pino';

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function isLogLevel(value: string): value is Level {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * A JSON-lines logger for the server's request log, writing each line through `write`. The
 * log's own level is written as `severity`, since `level` is the Tezos level of a request.
 */
export function createRequestLogger(options: { level?: Level | undefined; write: (line: string) => void }): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      formatters: { level: (label) => ({ severity: label }) },
    },
    { write: options.write },
  );
}
