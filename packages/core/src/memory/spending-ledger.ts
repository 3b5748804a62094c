import type { LedgerView, Spending, SpendingLedger } from '../ports/spending-ledger.js';

/** Spending kept in memory (tests): forgotten on restart. */
export class MemorySpendingLedger implements SpendingLedger {
  readonly name = 'memory';
  readonly #entries = new Map<string, Spending[]>();

  async read(pkh: string, since: number): Promise<LedgerView> {
    const entries = this.#entries.get(pkh) ?? [];
    return { spent: sumSince(entries, since), next: entries.length };
  }

  async append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    const entries = this.#entries.get(pkh) ?? [];
    if (at !== entries.length) return false;
    this.#entries.set(pkh, [...entries, spending]);
    return true;
  }
}

/** What `entries` spent at or after `since`. */
export function sumSince(entries: Iterable<Spending>, since: number): { amount: bigint; fee: bigint } {
  let amount = 0n;
  let fee = 0n;
  for (const entry of entries) {
    if (entry.time < since) continue;
    amount += entry.amount;
    fee += entry.fee;
  }
  return { amount, fee };
}
