import type { Spending } from './spending-ledger.js';

/**
 * The running totals an entry carries, so that what a key spent since any time is two entries
 * apart (the last, less the one before the first counted) instead of the sum of every entry.
 */
export interface EntryChain {
  /** mutez: this entry's amount and fee added to every entry before it in its run */
  readonly amount: bigint;
  readonly fee: bigint;
  /** the latest `time` of this entry and every entry before it in its run (ms since the epoch) */
  readonly latest: number;
  /** the position of the first entry of its run (where totals started from nothing, or after entries without totals) */
  readonly run: number;
  /** the first position its writer counted: where a reader looks for its own first */
  readonly window: number;
}

/** One signed operation's spending as a store keeps it: with running totals, except in entries an older release wrote. */
export interface LedgerEntry extends Spending {
  readonly chain?: EntryChain;
}

export type PositionedEntry = readonly [position: number, entry: LedgerEntry];

/**
 * A port to where each key's ledger entries live: a sequence of positions 0, 1, 2, … each
 * created at most once (create-if-absent, like a watermark commit), shared by every process
 * and instance signing for the key. Old entries are removed from the front only, oldest
 * first, so the entries there are always one run of positions.
 */
export interface SpendingStore {
  readonly name: string;
  /**
   * The entries after `position`, in order, up to the last there is; undefined when the store
   * cannot tell from `position` (its entry is gone): the reader then starts over with `newest`
   */
  entriesAfter(pkh: string, position: number): Promise<readonly PositionedEntry[] | undefined>;
  /** the last entries of the key, in order, the last one there is among them; none when it has none */
  newest(pkh: string): Promise<readonly PositionedEntry[]>;
  /** the entry at `position`; undefined when there is none (never written, or removed as old) */
  entryAt(pkh: string, position: number): Promise<LedgerEntry | undefined>;
  /** every entry the key has, in order (to count entries without totals one by one) */
  all(pkh: string): Promise<readonly PositionedEntry[]>;
  /** creates the entry at `position` if there is none; false when there is one; true once it is durable */
  create(pkh: string, position: number, entry: LedgerEntry): Promise<boolean>;
  /** removes the entries before `position`, oldest first */
  removeBefore(pkh: string, position: number): Promise<void>;
  close?(): Promise<void>;
}
