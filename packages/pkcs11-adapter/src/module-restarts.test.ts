import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ModuleRestarts, type RestartCause } from './module-restarts.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

function restarts(outcomes: Array<'ok' | 'fail'>) {
  const started: { cause: RestartCause; at: number }[] = [];
  const failures: string[] = [];
  const logs: string[] = [];
  let count = 0;
  const scheduler = new ModuleRestarts({
    start: () => (outcomes.shift() === 'fail' ? Promise.reject(new Error('no token labelled "baker"')) : Promise.resolve()),
    onStart: (cause) => {
      started.push({ cause, at: Date.now() });
      return ++count;
    },
    onFailure: (reason) => failures.push(reason),
    logger: { info: (line) => logs.push(line), warn: (line) => logs.push(line) },
  });
  return { scheduler, started, failures, logs };
}

describe('ModuleRestarts', () => {
  test('the first cause starts at once; causes that come while it runs join it; the next waits for the limit', async () => {
    const { scheduler, started, logs } = restarts(['ok', 'ok']);
    scheduler.request('token', 'the token was lost');
    scheduler.request('hung', 'a call has not returned for 10.0 s');
    expect(started).toEqual([{ cause: 'token', at: 0 }]);
    expect(logs).toEqual(['the token was lost: starting the PKCS#11 module anew in a new process (reset 1)']);
    await scheduler.starting;
    vi.advanceTimersByTime(200);
    scheduler.request('hung', 'a call has not returned for 10.0 s');
    expect(scheduler.waiting(Date.now())).toBe(800);
    expect(logs.at(-1)).toBe('a call has not returned for 10.0 s: the PKCS#11 module starts anew in 0.8 s (restarts are rate-limited)');
    vi.advanceTimersByTime(800);
    expect(started).toEqual([
      { cause: 'token', at: 0 },
      { cause: 'hung', at: 1000 },
    ]);
    await scheduler.starting;
  });

  test('a start that fails says why and is tried again at the pace the limit allows', async () => {
    const { scheduler, started, failures } = restarts(['fail', 'fail', 'ok']);
    scheduler.request('token', 'the token was lost');
    await vi.advanceTimersByTimeAsync(0);
    expect(failures).toEqual(['the PKCS#11 module did not start anew (no token labelled "baker")']);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(started.map((start) => start.at)).toEqual([0, 1000, 3000]);
    expect(started.every((start) => start.cause === 'token')).toBe(true);
    expect(failures).toHaveLength(2);
  });

  test('stopped, it starts nothing more', () => {
    const { scheduler, started } = restarts(['ok', 'ok']);
    scheduler.request('exited', 'the process ended');
    scheduler.stop();
    vi.advanceTimersByTime(60_000);
    scheduler.request('exited', 'the process ended');
    expect(started).toHaveLength(1);
  });
});
