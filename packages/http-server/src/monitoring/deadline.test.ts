import { backendUnavailable, storeUnavailable } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { passedDeadline } from './deadline.js';

describe('passedDeadline', () => {
  test("AbortSignal.timeout's own reason, and an error that carries it as its cause, at any depth", async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(passedDeadline(signal.reason)).toBe(true);
    expect(passedDeadline(storeUnavailable('table did not answer within 1 ms', signal.reason))).toBe(true);
    const wrapped = backendUnavailable('vault gave up', new Error('attempt', { cause: new DOMException('deadline of 3000 ms reached', 'TimeoutError') }));
    expect(passedDeadline(wrapped)).toBe(true);
  });

  test('any other failure is not one, an abort by hand included; a cause chain that loops ends', () => {
    expect(passedDeadline(backendUnavailable('HSM answered CKR_DEVICE_ERROR'))).toBe(false);
    expect(passedDeadline(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(passedDeadline('TimeoutError')).toBe(false);
    expect(passedDeadline(undefined)).toBe(false);
    const looping = new Error('a') as Error & { cause?: unknown };
    looping.cause = looping;
    expect(passedDeadline(looping)).toBe(false);
  });
});
