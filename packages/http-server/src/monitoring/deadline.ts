/**
 * Whether a call failed because it ran out of time: the error, or one of its causes, is named
 * `TimeoutError`, the platform's name for it (the reason AbortSignal.timeout() gives). An
 * adapter that gives up at its deadline says so by carrying such a cause (the signal's reason,
 * or `new DOMException(message, 'TimeoutError')`), whatever its own error says.
 */
export function passedDeadline(err: unknown): boolean {
  let current: unknown = err;
  // bounded: a cause chain could loop
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
