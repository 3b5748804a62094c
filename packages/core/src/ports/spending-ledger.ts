/** One signed operation's spending, as a ledger keeps it. */
export interface Spending {
  /** ms since the epoch */
  readonly time: number;
  /** mutez moved and paid in fees */
  readonly amount: bigint;
  readonly fee: bigint;
}

/**
 * A port to where each key's spending is kept, so that a rolling 24 h cap holds across
 * restarts. `record` resolves only once the entry is durable.
 */
export interface SpendingLedger {
  readonly name: string;
  /** the key's spending recorded at or after `since` (ms since the epoch), added up */
  spentSince(pkh: string, since: number): Promise<{ amount: bigint; fee: bigint }>;
  record(pkh: string, spending: Spending): Promise<void>;
  close?(): Promise<void>;
}
