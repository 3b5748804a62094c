import { expect, test } from 'vitest';
import { RetryGaveUp, causeOf, retryWithinDeadline, type RetryVerdict } from './retry.js';

const retryable = (): RetryVerdict => ({ retry: true, reason: 'flaky' });
const budget = { deadlineMs: 2000, attemptTimeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 4 };

async function gaveUp(promise: Promise<unknown>): Promise<RetryGaveUp> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RetryGaveUp) return err;
    throw err;
  }
  throw new Error('expected RetryGaveUp');
}

test('retries a retryable failure until it succeeds, reporting each retry', async () => {
  let calls = 0;
  const retries: string[] = [];
  const result = await retryWithinDeadline(
    async () => {
      calls += 1;
      if (calls < 3) throw new Error(`failure ${calls}`);
      return 'ok';
    },
    retryable,
    budget,
    (reason) => retries.push(reason),
  );
  expect(result).toBe('ok');
  expect(calls).toBe(3);
  expect(retries).toEqual(['flaky', 'flaky']);
});

test('stops at once on an error that is not retryable', async () => {
  let calls = 0;
  const failure = new Error('refused');
  const err = await gaveUp(
    retryWithinDeadline(
      async () => {
        calls += 1;
        throw failure;
      },
      () => ({ retry: false }),
      budget,
    ),
  );
  expect(calls).toBe(1);
  expect(err).toMatchObject({ attempts: 1, lastError: failure, why: 'not retryable' });
});

test('does not wait for a Retry-After that ends past the deadline', async () => {
  let calls = 0;
  const err = await gaveUp(
    retryWithinDeadline(
      async () => {
        calls += 1;
        throw new Error('throttled');
      },
      () => ({ retry: true, reason: 'HTTP 429', afterMs: 60_000 }),
      budget,
    ),
  );
  expect(calls).toBe(1);
  expect(err.why).toMatch(/asked to wait 60000 ms, past the 2000 ms deadline/);
});

test('abandons an attempt that never answers, even one that ignores its abort signal', async () => {
  let calls = 0;
  const signals: AbortSignal[] = [];
  const result = await retryWithinDeadline(
    (signal) => {
      calls += 1;
      signals.push(signal);
      return calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('second');
    },
    () => ({ retry: false }),
    { ...budget, attemptTimeoutMs: 50 },
  );
  expect(result).toBe('second');
  expect(signals[0]?.aborted).toBe(true);
  expect(signals[1]?.aborted).toBe(false);
});

test('gives up when the deadline comes, with the last error', async () => {
  let calls = 0;
  const err = await gaveUp(
    retryWithinDeadline(
      async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
      retryable,
      { deadlineMs: 100, attemptTimeoutMs: 100, baseDelayMs: 20, maxDelayMs: 20 },
    ),
  );
  expect(calls).toBeGreaterThan(1);
  expect(err.attempts).toBe(calls);
  expect((err.lastError as Error).message).toBe(`failure ${calls}`);
  expect(err.why).toMatch(/deadline of 100 ms reached/);
  // an error made from it carries a TimeoutError (the metrics' sign of a call past its deadline) over the last error
  const cause = causeOf(err) as DOMException;
  expect([cause.name, cause.message, (cause.cause as Error).message]).toEqual(['TimeoutError', err.why, `failure ${calls}`]);
});

test('an error not worth retrying, or one that is not a RetryGaveUp, is its own cause: no deadline passed', () => {
  const failure = new Error('403 Forbidden');
  expect(causeOf(new RetryGaveUp(failure, 1, 'not retryable'))).toBe(failure);
  expect(causeOf(failure)).toBe(failure);
});

test('a Retry-After of 0 still backs off: jittered waits that grow from a floor, not a request per millisecond', async () => {
  let calls = 0;
  const waits: number[] = [];
  const err = await gaveUp(
    retryWithinDeadline(
      async () => {
        calls += 1;
        throw new Error('throttled');
      },
      () => ({ retry: true, reason: 'HTTP 429', afterMs: 0 }),
      { deadlineMs: 1500, attemptTimeoutMs: 500, baseDelayMs: 50, maxDelayMs: 1000 },
      (_, delayMs) => waits.push(delayMs),
    ),
  );
  // 25–50, 50–100, 100–200, 200–400, 400–800 ms: a handful of attempts in 1.5 s
  expect(calls).toBeLessThanOrEqual(6);
  expect(calls).toBeGreaterThan(1);
  waits.forEach((wait, i) => {
    expect(wait).toBeGreaterThanOrEqual((50 * 2 ** i) / 2);
    expect(wait).toBeLessThanOrEqual(50 * 2 ** i);
  });
  expect(err.why).toMatch(/deadline of 1500 ms reached/);
  expect(err.why).not.toMatch(/asked to wait/);
});

test('never starts an attempt with only a sliver of the deadline left', async () => {
  const started = performance.now();
  const starts: number[] = [];
  await gaveUp(
    retryWithinDeadline(
      async () => {
        starts.push(performance.now() - started);
        throw new Error('flaky');
      },
      retryable,
      { deadlineMs: 1000, attemptTimeoutMs: 800, baseDelayMs: 20, maxDelayMs: 80, minAttemptMs: 200 },
    ),
  );
  expect(starts.length).toBeGreaterThan(2);
  // the last attempt began with at least about 200 ms left (half of it allowed for late timers)
  expect(Math.max(...starts)).toBeLessThanOrEqual(900);
});
