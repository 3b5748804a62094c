import { join } from 'node:path';
import { ChainedSpendingLedger, sumSince, type LedgerView, type Spending, type SpendingLedger } from '@tezsigner/core';
import { FileSpendingStore } from './file-store.js';
import { readLegacySpending } from './legacy-file.js';

/**
 * The home's spending ledger: each key's entries as files under `<home>/spending/<pkh>/`
 * (FileSpendingStore), with running totals so a read costs a few files at any size, and the
 * `<home>/spending.jsonl` an older release kept, read once, counted, never written. Nothing is
 * written before the first append.
 */
export class FileSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly directory: string;
  readonly #chain: ChainedSpendingLedger;
  readonly #legacy: Map<string, Spending[]>;

  private constructor(store: FileSpendingStore, legacy: Map<string, Spending[]>, now: () => number) {
    this.directory = store.directory;
    this.name = store.name;
    this.#chain = new ChainedSpendingLedger({ store, now });
    this.#legacy = legacy;
  }

  /** Reads the home's older ledger file; changes nothing on disk (a signer that then fails to start leaves no trace). */
  static async open(options: { home: string; now?: () => number }): Promise<FileSpendingLedger> {
    const now = options.now ?? Date.now;
    return new FileSpendingLedger(new FileSpendingStore(join(options.home, 'spending'), now), await readLegacySpending(join(options.home, 'spending.jsonl')), now);
  }

  async read(pkh: string, since: number): Promise<LedgerView> {
    const view = await this.#chain.read(pkh, since);
    const legacy = sumSince(this.#legacy.get(pkh) ?? [], since);
    return { spent: { amount: view.spent.amount + legacy.amount, fee: view.spent.fee + legacy.fee }, next: view.next };
  }

  append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    return this.#chain.append(pkh, at, spending);
  }

  close(): Promise<void> {
    return this.#chain.close();
  }
}
