import { badRequest, storeCorrupt } from '../errors.js';
import { DAY_MS } from '../policy/gatekeeper.js';
import type { LedgerView, Spending, SpendingLedger } from '../ports/spending-ledger.js';
import type { LedgerEntry, PositionedEntry, SpendingStore } from '../ports/spending-store.js';
import { searchFirst } from './search-first.js';

/**
 * How long entries are kept: a week, judged against the newest entries as well as the clock, so
 * a clock that ran ahead (by less than that) and came back finds every entry it still counts.
 */
export const KEEP_MS = 7 * DAY_MS;
/** Every this many positions, an append removes the entries older than KEEP_MS (in the background). */
export const PRUNE_EVERY = 256;

const ZERO = { amount: 0n, fee: 0n } as const;

interface Totals {
  readonly amount: bigint;
  readonly fee: bigint;
  readonly latest: number;
}

/** What one process knows of one key's entries. */
interface KeyState {
  /** the last position seen (-1: none) */
  last: number;
  /** entries read or written: the last, and those of the window last counted */
  readonly entries: Map<number, LedgerEntry>;
  /** the first position the last read counted (-1: none yet): where the next read looks first */
  counted: number;
  /** the totals through `position` when its entry has none (an older release wrote it) */
  scanned?: Totals & { readonly position: number };
}

/** Why an entry read at `position` cannot be what a ledger wrote, or undefined. */
export function ledgerEntryProblem(entry: LedgerEntry, position: number): string | undefined {
  if (!Number.isSafeInteger(entry.time)) return 'its time is not a time';
  if (entry.amount < 0n || entry.fee < 0n) return 'it spends less than nothing';
  const { chain } = entry;
  if (chain === undefined) return undefined;
  if (chain.amount < entry.amount || chain.fee < entry.fee) return 'its totals are less than its own spending';
  if (!Number.isSafeInteger(chain.latest) || chain.latest < entry.time) return 'its latest time is before its own';
  if (!Number.isSafeInteger(chain.run) || chain.run < 0 || chain.run > position) return 'its run does not start at or before it';
  if (!Number.isSafeInteger(chain.window) || chain.window < chain.run || chain.window > position) return 'its window does not start within its run';
  return undefined;
}

export interface ChainedSpendingLedgerOptions {
  readonly store: SpendingStore;
  /** the clock (ms since the epoch): when to trust what this process last saw, and what is old */
  readonly now: () => number;
  readonly keepMs?: number;
  readonly pruneEvery?: number;
}

/**
 * A spending ledger whose entries carry running totals: what a key spent since a time is the
 * last entry's totals less those before the first entry counted, found by a search that starts
 * where the last read (or the last entry's writer) started. A read costs a few entries whatever
 * the number in the window, in a running process as in a fresh one; an append one create.
 *
 * The first counted is the first whose latest time (its own or any before it in its run) is
 * in the window: every entry whose time is in the window is counted, and after a clock stepped
 * back some entries older than the window may be too (a cap errs on the safe side). Entries
 * written without totals (by an older release) are counted one by one until they are gone.
 */
export class ChainedSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly #store: SpendingStore;
  readonly #now: () => number;
  readonly #keepMs: number;
  readonly #pruneEvery: number;
  readonly #keys = new Map<string, KeyState>();
  readonly #pruning = new Map<string, Promise<void>>();

  constructor(options: ChainedSpendingLedgerOptions) {
    this.#store = options.store;
    this.name = options.store.name;
    this.#now = options.now;
    this.#keepMs = options.keepMs ?? KEEP_MS;
    this.#pruneEvery = options.pruneEvery ?? PRUNE_EVERY;
  }

  async read(pkh: string, since: number): Promise<LedgerView> {
    const state = await this.#refresh(pkh);
    const last = state.entries.get(state.last);
    if (last === undefined) return { spent: ZERO, next: 0 };
    if (last.chain === undefined) return this.#scan(pkh, state, since);
    const next = state.last + 1;
    if (last.chain.latest < since) {
      state.counted = next;
      this.#trim(state);
      return { spent: ZERO, next };
    }
    const counts = async (position: number) => ((await this.#entry(pkh, state, position))?.chain?.latest ?? Number.NEGATIVE_INFINITY) >= since;
    const hint = state.counted >= 0 ? state.counted : await this.#estimate(pkh, state, since);
    const first = await searchFirst(last.chain.run, state.last, hint, counts);
    // the run began after entries without totals: those still there are counted one by one
    if (first === last.chain.run && first > 0 && (await this.#entry(pkh, state, first - 1)) !== undefined) return this.#scan(pkh, state, since);
    const from = await this.#entry(pkh, state, first);
    if (from?.chain === undefined) throw storeCorrupt(`spending ledger ${this.name}: the entry at ${first} of ${pkh} went missing while it was read`);
    state.counted = first;
    this.#trim(state);
    return { spent: { amount: last.chain.amount - from.chain.amount + from.amount, fee: last.chain.fee - from.chain.fee + from.fee }, next };
  }

  async append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    if (!Number.isSafeInteger(at) || at < 0 || at >= 1e12) throw badRequest(`no spending entry can go at ${at}`);
    const state = this.#state(pkh);
    const previous = at === 0 ? undefined : await this.#entry(pkh, state, at - 1);
    // nothing there: not the position after the last (removed as old, or never written)
    if (at > 0 && previous === undefined) return false;
    let base: Totals & { run: number };
    if (previous === undefined) {
      base = { ...ZERO, latest: Number.NEGATIVE_INFINITY, run: 0 };
    } else if (previous.chain !== undefined) {
      base = previous.chain;
    } else {
      if (state.scanned?.position !== at - 1) await this.#scan(pkh, state, Number.POSITIVE_INFINITY);
      if (state.scanned?.position !== at - 1) return false;
      base = { ...state.scanned, run: at };
    }
    const window = Math.min(Math.max(state.counted >= 0 ? state.counted : at, base.run), at);
    const entry: LedgerEntry = {
      ...spending,
      chain: { amount: base.amount + spending.amount, fee: base.fee + spending.fee, latest: Math.max(base.latest, spending.time), run: base.run, window },
    };
    if (!(await this.#store.create(pkh, at, entry))) return false;
    state.entries.set(at, entry);
    state.last = Math.max(state.last, at);
    state.scanned = undefined;
    if (previous !== undefined && at % this.#pruneEvery === 0) this.#prune(pkh, state, at, entry, previous.time);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.#pruning.values());
    await this.#store.close?.();
  }

  #state(pkh: string): KeyState {
    let state = this.#keys.get(pkh);
    if (state === undefined) {
      state = { last: -1, entries: new Map(), counted: -1 };
      this.#keys.set(pkh, state);
    }
    return state;
  }

  /**
   * Brings what this process knows of the key up to its last entry: the entries after the last
   * one seen, or (the first time, or when that one is a day old and may have been removed since)
   * the newest there are.
   */
  async #refresh(pkh: string): Promise<KeyState> {
    const known = this.#keys.get(pkh);
    const last = known?.entries.get(known.last);
    if (known !== undefined && last !== undefined && last.time >= this.#now() - DAY_MS) {
      const after = await this.#store.entriesAfter(pkh, known.last);
      if (after !== undefined) return this.#add(pkh, known, after);
    }
    this.#keys.delete(pkh);
    return this.#add(pkh, this.#state(pkh), await this.#store.newest(pkh));
  }

  #add(pkh: string, state: KeyState, entries: readonly PositionedEntry[]): KeyState {
    for (const [position, entry] of entries) {
      const before = state.entries.get(position - 1)?.chain;
      if (entry.chain !== undefined && before !== undefined && entry.chain.run === before.run && (entry.chain.amount !== before.amount + entry.amount || entry.chain.fee !== before.fee + entry.fee)) {
        throw storeCorrupt(`spending ledger ${this.name}: the totals of entry ${position} of ${pkh} do not add up with entry ${position - 1}; nothing is signed for this key until it is fixed`);
      }
      state.entries.set(position, entry);
      state.last = Math.max(state.last, position);
    }
    return state;
  }

  /**
   * Where a process that has not read the key yet looks first: the first position the last
   * entry's writer counted, moved on in proportion to the time since (appends come at a rate).
   */
  async #estimate(pkh: string, state: KeyState, since: number): Promise<number> {
    const last = state.entries.get(state.last)?.chain;
    if (last === undefined) return state.last;
    const window = (await this.#entry(pkh, state, last.window))?.chain;
    if (window === undefined || since <= window.latest || last.latest <= window.latest) return last.window;
    return last.window + Math.floor(((since - window.latest) / (last.latest - window.latest)) * (state.last - last.window));
  }

  async #entry(pkh: string, state: KeyState, position: number): Promise<LedgerEntry | undefined> {
    const cached = state.entries.get(position);
    if (cached !== undefined) return cached;
    const read = await this.#store.entryAt(pkh, position);
    if (read !== undefined) state.entries.set(position, read);
    return read;
  }

  /** Every entry counted one by one (some carry no totals); the totals through the last kept for the next append. */
  async #scan(pkh: string, state: KeyState, since: number): Promise<LedgerView> {
    const all = await this.#store.all(pkh);
    let amount = 0n;
    let fee = 0n;
    let totals: Totals | undefined;
    let counted = -1;
    for (const [position, entry] of all) {
      if (entry.time >= since) {
        amount += entry.amount;
        fee += entry.fee;
        if (counted < 0) counted = position;
      }
      totals = entry.chain ?? { amount: (totals?.amount ?? 0n) + entry.amount, fee: (totals?.fee ?? 0n) + entry.fee, latest: Math.max(totals?.latest ?? Number.NEGATIVE_INFINITY, entry.time) };
      state.entries.set(position, entry);
    }
    const last = all.at(-1)?.[0] ?? -1;
    state.last = last;
    state.counted = counted < 0 ? last + 1 : counted;
    if (totals !== undefined) state.scanned = { position: last, ...totals };
    return { spent: { amount, fee }, next: last + 1 };
  }

  /** Forgets cached entries before the window, once many gather. */
  #trim(state: KeyState): void {
    if (state.entries.size < 4096) return;
    for (const position of state.entries.keys()) if (position < state.counted && position !== state.last) state.entries.delete(position);
  }

  /**
   * Removes, in the background, the entries older than the keep time judged against the clock,
   * the newest entry and the one before it (another process's, maybe), whichever reads earliest:
   * never one a clock that came back from ahead would count. Only leading positions go, oldest
   * first.
   */
  #prune(pkh: string, state: KeyState, at: number, newest: LedgerEntry, before: number): void {
    const run = newest.chain?.run;
    if (this.#pruning.has(pkh) || run === undefined) return;
    const threshold = Math.min(this.#now(), newest.time, before) - this.#keepMs;
    const kept = async (position: number) => ((await this.#entry(pkh, state, position))?.chain?.latest ?? Number.NEGATIVE_INFINITY) >= threshold;
    const task = (async () => {
      if (await kept(run)) return;
      const keepFrom = await searchFirst(run, at, run, kept);
      await this.#store.removeBefore(pkh, keepFrom);
      for (const position of state.entries.keys()) if (position < keepFrom) state.entries.delete(position);
    })()
      // pruning is housekeeping: a failure leaves old entries, which are never counted
      .catch(() => undefined)
      .finally(() => this.#pruning.delete(pkh));
    this.#pruning.set(pkh, task);
  }
}
