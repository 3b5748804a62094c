import { describe, expect, it } from 'vitest';
import { cpuTime, CpuTally } from './process-cpu.js';

/** Spins on this thread until getrusage (process.cpuUsage) says `ms` of user time went by. */
function spin(ms: number): void {
  const start = process.cpuUsage().user;
  while (process.cpuUsage().user - start < ms * 1000);
}

describe('a process CPU time from /proc', () => {
  it('agrees with getrusage about this process, to within a few ticks', async () => {
    const before = await cpuTime(process.pid);
    const usageBefore = process.cpuUsage();
    spin(200);
    const after = await cpuTime(process.pid);
    const usage = process.cpuUsage(usageBefore);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    const userMs = (after?.userMs ?? 0) - (before?.userMs ?? 0);
    // /proc counts whole 10 ms ticks and this process has other threads (the test runner's)
    expect(userMs).toBeGreaterThanOrEqual(usage.user / 1000 - 30);
    expect(userMs).toBeLessThanOrEqual(usage.user / 1000 + 200);
    expect(after?.systemMs ?? -1).toBeGreaterThanOrEqual(before?.systemMs ?? 0);
  });

  it('knows nothing of a process that does not exist', async () => {
    expect(await cpuTime(2 ** 22 + 1)).toBeUndefined();
  });

  it('tallies per signature over the runs, and says nothing when a reading fails', async () => {
    const tally = new CpuTally(process.pid);
    await tally.around(async () => spin(100), () => 50);
    await tally.around(async () => spin(100), () => 50);
    const per = tally.perSignature();
    // 200 ms over 100 signatures: about 2,000 µs each
    expect(per?.userUs ?? 0).toBeGreaterThanOrEqual(1_700);
    expect(per?.userUs ?? 0).toBeLessThanOrEqual(4_000);
    const lost = new CpuTally(2 ** 22 + 1);
    await lost.around(async () => spin(10), () => 5);
    expect(lost.perSignature()).toBeUndefined();
    expect(new CpuTally(process.pid).perSignature()).toBeUndefined();
  });
});
