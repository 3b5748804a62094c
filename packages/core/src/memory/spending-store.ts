import type { LedgerEntry, PositionedEntry, SpendingStore } from '../ports/spending-store.js';

/** Ledger entries kept in memory (tests): several ChainedSpendingLedgers on one stand for several processes. */
export class MemorySpendingStore implements SpendingStore {
  readonly name = 'memory';
  readonly #keys = new Map<string, Map<number, LedgerEntry>>();

  #entries(pkh: string): Map<number, LedgerEntry> {
    let entries = this.#keys.get(pkh);
    if (entries === undefined) {
      entries = new Map();
      this.#keys.set(pkh, entries);
    }
    return entries;
  }

  #sorted(pkh: string): PositionedEntry[] {
    return [...this.#entries(pkh)].sort(([a], [b]) => a - b);
  }

  async entriesAfter(pkh: string, position: number): Promise<readonly PositionedEntry[] | undefined> {
    const entries = this.#entries(pkh);
    if (!entries.has(position)) return undefined;
    const after: PositionedEntry[] = [];
    for (let next = position + 1, entry = entries.get(next); entry !== undefined; entry = entries.get(++next)) after.push([next, entry]);
    return after;
  }

  /** Only the last: readers must find the rest themselves, as they do in a store of many. */
  async newest(pkh: string): Promise<readonly PositionedEntry[]> {
    const entries = this.#entries(pkh);
    if (entries.size === 0) return [];
    const last = Math.max(...entries.keys());
    return [[last, entries.get(last) as LedgerEntry]];
  }

  async entryAt(pkh: string, position: number): Promise<LedgerEntry | undefined> {
    return this.#entries(pkh).get(position);
  }

  async all(pkh: string): Promise<readonly PositionedEntry[]> {
    return this.#sorted(pkh);
  }

  async create(pkh: string, position: number, entry: LedgerEntry): Promise<boolean> {
    const entries = this.#entries(pkh);
    if (entries.has(position)) return false;
    entries.set(position, entry);
    return true;
  }

  async removeBefore(pkh: string, position: number): Promise<void> {
    for (const [at] of this.#sorted(pkh)) if (at < position) this.#entries(pkh).delete(at);
  }

  /** How many entries the key has (tests). */
  size(pkh: string): number {
    return this.#entries(pkh).size;
  }
}
