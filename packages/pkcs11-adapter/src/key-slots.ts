import { pastDeadline } from './deadlines.js';

/**
 * How many calls one key may have on the token at once: a key whose signatures hang, before
 * anything knows it hangs, then holds that many sessions at most, never all of them, and the
 * other keys keep signing on the rest. Requests beyond wait their turn, in order, within their
 * deadline.
 */
export class KeySlots {
  private readonly inUse = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly perKey: number) {}

  /** Resolves with the function that gives the slot back, once one is free; fails closed at `deadline`. */
  async take(pkh: string, deadline: number): Promise<() => void> {
    while ((this.inUse.get(pkh) ?? 0) >= this.perKey) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.waiting.get(pkh) ?? [];
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const left = (this.waiting.get(pkh) ?? []).filter((waiter) => waiter !== wake);
          if (left.length === 0) this.waiting.delete(pkh);
          else this.waiting.set(pkh, left);
          reject(pastDeadline(`${this.perKey} signature(s) with ${pkh} already on the token: no turn came in time`));
        }, Math.max(0, deadline - Date.now()));
        queue.push(wake);
        this.waiting.set(pkh, queue);
      });
    }
    this.inUse.set(pkh, (this.inUse.get(pkh) ?? 0) + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.inUse.get(pkh) ?? 1) - 1;
      if (left === 0) this.inUse.delete(pkh);
      else this.inUse.set(pkh, left);
      const queue = this.waiting.get(pkh);
      const next = queue?.shift();
      if (queue !== undefined && queue.length === 0) this.waiting.delete(pkh);
      next?.();
    };
  }
}
