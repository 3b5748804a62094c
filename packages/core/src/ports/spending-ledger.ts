/** One signed operation's spending, as a ledger keeps it. */
export interface Spending {
  /** ms since the epoch */
  readonly time: number;
  /** mutez moved (or burnt, or locked) and paid in fees */
  readonly amount: bigint;
  readonly fee: bigint;
}

/** A key's spending as read, and where the next entry goes. */
export interface LedgerView {
  /** spending at or after the `since` of the read, added up */
  readonly spent: { readonly amount: bigint; readonly fee: bigint };
  /** the position of the next entry: `append` there succeeds only if nobody appended since */
  readonly next: number;
}

/**
 * A port to where each key's spending is kept, one record shared by every process and
 * instance that signs for the key, so a rolling 24 h cap holds across restarts, across
 * processes on one home and across instances on one store. Each key's entries are a sequence;
 * an entry is appended at a position conditionally (like a watermark commit): two signers
 * that judged the same view cannot both append, the loser reads again and judges again.
 */
export interface SpendingLedger {
  readonly name: string;
  /** the key's spending recorded at or after `since` (ms since the epoch) */
  read(pkh: string, since: number): Promise<LedgerView>;
  /** appends at `at` (a view's `next`); resolves false when that position is taken, true once the entry is durable */
  append(pkh: string, at: number, spending: Spending): Promise<boolean>;
  close?(): Promise<void>;
}
