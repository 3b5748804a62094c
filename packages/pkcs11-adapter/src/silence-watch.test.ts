import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { SilenceWatch } from './silence-watch.js';

function watch() {
  const events: string[] = [];
  const silence = new SilenceWatch({
    probe: () => events.push('probe'),
    probeDeadlineMs: 1000,
    onAnswering: () => events.push('answering'),
    logger: { info: (line) => events.push(`info: ${line}`), warn: (line) => events.push(`warn: ${line}`) },
  });
  return { silence, events };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SilenceWatch', () => {
  test('a call set aside after the module answered others: it answers, no probe', () => {
    const { silence, events } = watch();
    silence.answered();
    silence.setAside(9_000);
    expect(events).toEqual(['answering']);
    expect(silence.verdict).toBeUndefined();
    expect(silence.since).toBeUndefined();
  });

  test('nothing answered since the call began: a probe at once; its answer ends the suspicion, requests go on', async () => {
    const { silence, events } = watch();
    silence.setAside(9_000);
    expect(events).toEqual(['probe']);
    const verdict = silence.verdict;
    expect(verdict).toBeDefined();
    vi.advanceTimersByTime(100);
    silence.answered();
    await verdict;
    expect(silence.since).toBeUndefined();
    expect(events).toEqual(['probe', 'answering']);
    silence.stop();
  });

  test('no answer within a probe deadline: silent since the call began, probed every 250 ms until an answer', async () => {
    const { silence, events } = watch();
    silence.setAside(9_000);
    const verdict = silence.verdict;
    vi.advanceTimersByTime(1000);
    await verdict;
    expect(silence.since).toBe(9_000);
    expect(events.filter((event) => event === 'probe')).toHaveLength(5);
    expect(events).toContain('warn: the PKCS#11 module answers nothing: requests are refused at once until it answers again (probed every 250 ms)');
    // a second call set aside meanwhile changes nothing
    silence.setAside(10_500);
    vi.advanceTimersByTime(1000);
    expect(events.filter((event) => event === 'probe')).toHaveLength(9);
    silence.answered();
    expect(silence.since).toBeUndefined();
    expect(events.slice(-2)).toEqual(['info: the PKCS#11 module answers again after 3.0 s', 'answering']);
    // probing stops with the silence
    vi.advanceTimersByTime(1000);
    expect(events.filter((event) => event === 'probe')).toHaveLength(9);
  });

  test('a new module process forgets the silence', async () => {
    const { silence } = watch();
    silence.setAside(9_000);
    const verdict = silence.verdict;
    vi.advanceTimersByTime(1000);
    await verdict;
    expect(silence.since).toBe(9_000);
    silence.reset();
    expect(silence.since).toBeUndefined();
    silence.stop();
  });
});
