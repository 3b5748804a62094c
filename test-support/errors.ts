// How tests catch what they expect to fail, shared so every package checks failures alike.
import { expect } from 'vitest';
import { isTezsignerError, type ErrorCode } from '../packages/core/src/errors.js';

/** Runs `run`, expects a TezsignerError with `code`, and returns its message for the test to check. */
export function thrownMessage(code: ErrorCode, run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(isTezsignerError(err, code)).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

/** What `promise` rejects with; fails the test if it fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * What a call came to, as one string a test can compare: `fulfilled(value)` when it succeeds
 * ('ok' by default), the code when it fails with a TezsignerError, `raw <error>` otherwise.
 */
export async function outcomeOf<T>(promise: Promise<T>, fulfilled: (value: T) => string = () => 'ok'): Promise<string> {
  let value: T;
  try {
    value = await promise;
  } catch (err) {
    return isTezsignerError(err) ? err.code : `raw ${String(err)}`;
  }
  return fulfilled(value);
}

/** The code and message of the TezsignerError `promise` rejects with; fails the test on anything else. */
export async function typedFailure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await rejection(promise);
  if (!isTezsignerError(err)) throw err;
  return { code: err.code, message: err.message };
}

/**
 * How a call that should fail closed came out, and how long it took (for deadlines): the code of
 * its TezsignerError, `raw <error>` for any other error, `none` when it succeeded.
 */
export async function timedFailure(promise: Promise<unknown>): Promise<{ code: string; message: string; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (err) {
    return { code: isTezsignerError(err) ? err.code : `raw ${String(err)}`, message: (err as Error).message, ms: performance.now() - started };
  }
  return { code: 'none', message: 'it succeeded', ms: performance.now() - started };
}
