import { isTezsignerError } from '@tezsigner/core';

/** One line saying what went wrong, for a person. */
export function describeFailure(err: unknown): string {
  if (isTezsignerError(err)) return err.message;
  if (err instanceof Error) return `unexpected failure: ${err.message.split('\n')[0] ?? ''}`;
  return `unexpected failure: ${String(err)}`;
}
