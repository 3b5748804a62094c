import { describe, expect, test } from 'vitest';
import { RestartLimiter } from './restart-limiter.js';

describe('RestartLimiter', () => {
  test('the first restart is at once; then one per interval, doubling up to the maximum', () => {
    const limiter = new RestartLimiter(1000, 4000, 60_000);
    expect(limiter.wait(0)).toBe(0);
    limiter.record(0);
    expect(limiter.wait(0)).toBe(1000);
    expect(limiter.wait(400)).toBe(600);
    expect(limiter.wait(1000)).toBe(0);
    limiter.record(1000);
    expect(limiter.wait(1000)).toBe(2000);
    limiter.record(3000);
    expect(limiter.wait(3000)).toBe(4000);
    limiter.record(7000);
    // capped at the maximum
    expect(limiter.wait(7000)).toBe(4000);
  });

  test('a flood of causes gets no more restarts than the intervals allow', () => {
    const limiter = new RestartLimiter(1000, 16_000, 60_000);
    let restarts = 0;
    // a cause every 10 ms for 10 s, as a client hammering a broken key would make
    for (let now = 0; now < 10_000; now += 10) {
      if (limiter.wait(now) === 0) {
        limiter.record(now);
        restarts++;
      }
    }
    // at 0, 1, 3, 7 s: then the next is 15 s
    expect(restarts).toBe(4);
  });

  test('after a calm period the interval is back to the minimum', () => {
    const limiter = new RestartLimiter(1000, 16_000, 60_000);
    limiter.record(0);
    limiter.record(1000);
    limiter.record(3000);
    expect(limiter.wait(3000)).toBe(4000);
    limiter.record(100_000);
    expect(limiter.wait(100_000)).toBe(1000);
  });
});
