import { backendUnavailable, type TezsignerError } from '@tezsigner/core';

/** A call that was still running at its deadline (the call itself goes on, abandoned). */
export class DeadlinePassed extends Error {}

/** `promise`, or DeadlinePassed at `deadline` (epoch ms) if it has not settled by then. */
export function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * A call given up at its deadline: BACKEND_UNAVAILABLE over the platform's TimeoutError, the
 * cause by which /metrics counts it in tezsigner_backend_deadline_exceeded_total (a refusal
 * made at once, with time left, carries none).
 */
export function pastDeadline(message: string): TezsignerError {
  return backendUnavailable(message, new DOMException(message, 'TimeoutError'));
}
