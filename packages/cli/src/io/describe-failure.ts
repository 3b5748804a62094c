import { isTezsignerError } from '@tezsigner/core';

/** One line saying what went wrong, for a person. */
export function describeFailure(err: unknown): string {
  if (isTezsignerError(err)) return err.message;
  if (err instanceof Error) return `unexpected failure: ${err.message.split('\n')[0] ?? ''}`;
  return `unexpected failure: ${String(err)}`;
}

/**
 * What a failed command prints on stderr: one line for a person, and the stack trace only when
 * a developer asks for it with TEZSIGNER_DEBUG=1.
 */
export function failureReport(err: unknown, env: Readonly<Record<string, string | undefined>>): string {
  const line = `tezsigner: error: ${describeFailure(err)}\n`;
  return env['TEZSIGNER_DEBUG'] && err instanceof Error && err.stack ? `${line}${err.stack}\n` : line;
}
