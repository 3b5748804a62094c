/**
 * How often the module may be started anew, whatever the cause (a lost token, a call that
 * never returned, a crash): at most once per interval, the interval doubling from `minMs` to
 * `maxMs` while restarts keep coming, and back to `minMs` once the module ran `calmMs` without
 * one. No request can make the module restart faster than that.
 */
export class RestartLimiter {
  private last: number | undefined;
  private interval: number;

  constructor(
    private readonly minMs = 1000,
    private readonly maxMs = 16_000,
    private readonly calmMs = 60_000,
  ) {
    this.interval = minMs;
  }

  /** Milliseconds to wait before the next restart may start (0: now). */
  wait(now: number): number {
    if (this.last === undefined) return 0;
    return Math.max(0, this.last + this.interval - now);
  }

  /** A restart starts now (call only when wait() is 0). */
  record(now: number): void {
    if (this.last !== undefined) this.interval = now - this.last >= this.calmMs ? this.minMs : Math.min(this.maxMs, this.interval * 2);
    this.last = now;
  }
}
