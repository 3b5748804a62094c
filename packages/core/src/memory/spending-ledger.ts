import type { Spending, SpendingLedger } from '../ports/spending-ledger.js';

/** Spending kept in memory (tests, and `sign` without a home): forgotten on restart. */
export class MemorySpendingLedger implements SpendingLedger {
  readonly name = 'memory';
  readonly #entries = new Map<string, Spending[]>();

  async spentSince(pkh: string, since: number): Promise<{ amount: bigint; fee: bigint }> {
    return sumSince(this.#entries.get(pkh) ?? [], since);
  }

  async record(pkh: string, spending: Spending): Promise<void> {
    this.#entries.set(pkh, [...(this.#entries.get(pkh) ?? []), spending]);
  }
}

/** What `entries` spent at or after `since`. */
export function sumSince(entries: readonly Spending[], since: number): { amount: bigint; fee: bigint } {
  let amount = 0n;
  let fee = 0n;
  for (const entry of entries) {
    if (entry.time < since) continue;
    amount += entry.amount;
    fee += entry.fee;
  }
  return { amount, fee };
}
