// Waiting for a condition instead of sleeping a fixed time: a busy machine only makes the wait
// longer, never the assertion wrong, and a condition that never comes fails with what it was.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** how long to keep trying before failing (default 30 s, well inside a test's timeout) */
  readonly timeoutMs?: number;
  /** the pause between two tries (default 25 ms) */
  readonly intervalMs?: number;
}

/**
 * Resolves with the first value `check` returns that is neither undefined nor false; fails after
 * `timeoutMs` naming `what` and the last value or error seen.
 */
export async function waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (performance.now() >= deadline) {
      throw new Error(`waited ${options.timeoutMs ?? 30_000} ms for ${what}; last: ${last instanceof Error ? last.message : String(last)}`);
    }
    await sleep(options.intervalMs ?? 25);
  }
}
