import { describe, expect, test } from 'vitest';
import { isTezsignerError } from '../errors.js';
import { MemorySpendingStore } from '../memory/spending-store.js';
import { DAY_MS } from '../policy/gatekeeper.js';
import type { Spending } from '../ports/spending-ledger.js';
import type { LedgerEntry, PositionedEntry } from '../ports/spending-store.js';
import { ChainedSpendingLedger } from './chained-ledger.js';
import { searchFirst } from './search-first.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 60 * 60 * 1000;

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A store that counts what readers ask of it. */
class CountingStore extends MemorySpendingStore {
  reads = 0;
  override async entryAt(pkh: string, position: number): Promise<LedgerEntry | undefined> {
    this.reads++;
    return super.entryAt(pkh, position);
  }
  override async all(pkh: string): Promise<readonly PositionedEntry[]> {
    const all = await super.all(pkh);
    this.reads += all.length;
    return all;
  }
}

/** Appends as the gatekeeper does: read, then append at the position read; again when another took it. */
async function spend(ledger: ChainedSpendingLedger, spending: Spending): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const view = await ledger.read(PKH, spending.time - DAY_MS);
    if (await ledger.append(PKH, view.next, spending)) return;
  }
  throw new Error('lost 100 races');
}

/** What the entries in the store spent with a time at or after `since`, counted one by one. */
async function exactSince(store: MemorySpendingStore, since: number) {
  let amount = 0n;
  let fee = 0n;
  for (const [, entry] of await store.all(PKH)) {
    if (entry.time < since) continue;
    amount += entry.amount;
    fee += entry.fee;
  }
  return { amount, fee };
}

describe('three processes on one store', () => {
  test('with a clock that only moves on, every read counts exactly the entries of its window, whichever process reads', async () => {
    const next = random(1);
    const store = new MemorySpendingStore();
    let processes = [0, 1, 2].map(() => new ChainedSpendingLedger({ store, now: () => now }));
    let now = T0;
    for (let i = 0; i < 1500; i++) {
      now += Math.floor(next() * 3 * 60_000);
      const process = processes[Math.floor(next() * processes.length)] as ChainedSpendingLedger;
      await spend(process, { time: now, amount: BigInt(Math.floor(next() * 1e6)), fee: BigInt(Math.floor(next() * 1e4)) });
      if (i % 7 === 0) {
        const since = now - Math.floor(next() * 1.5 * DAY_MS);
        expect((await process.read(PKH, since)).spent).toEqual(await exactSince(store, since));
      }
      // a process restarts now and then: it knows nothing but what the store holds
      if (i % 300 === 299) processes = [...processes.slice(1), new ChainedSpendingLedger({ store, now: () => now })];
    }
  });

  test('with a clock that steps back and forth, no read counts less than the entries of its window', async () => {
    const next = random(2);
    const store = new MemorySpendingStore();
    let now = T0;
    const processes = [0, 1, 2].map((n) => ({ ledger: new ChainedSpendingLedger({ store, now: () => now + n }), skew: (next() - 0.5) * 4 * HOUR }));
    for (let i = 0; i < 800; i++) {
      now += Math.floor((next() - 0.2) * 20 * 60_000);
      const { ledger, skew } = processes[Math.floor(next() * 3)] as (typeof processes)[number];
      await spend(ledger, { time: Math.floor(now + skew), amount: BigInt(Math.floor(next() * 1e6)), fee: 1n });
      const since = now - DAY_MS;
      const read = (await ledger.read(PKH, since)).spent;
      const exact = await exactSince(store, since);
      expect(read.amount >= exact.amount && read.fee >= exact.fee).toBe(true);
    }
  });
});

test('a fresh process reads a few entries, not the 10,000 of the day', async () => {
  const store = new CountingStore();
  const writer = new ChainedSpendingLedger({ store, now: () => T0 + DAY_MS });
  for (let n = 0; n < 10_000; n++) await spend(writer, { time: T0 + n * 8_000, amount: 1_000n, fee: 10n });
  const since = T0 + 10_000 * 8_000 - DAY_MS;
  const exact = await exactSince(store, since);
  store.reads = 0;
  const fresh = new ChainedSpendingLedger({ store, now: () => T0 + DAY_MS });
  expect((await fresh.read(PKH, since)).spent).toEqual(exact);
  expect(store.reads).toBeLessThan(8);
  // a process that has read once reads nothing more until something is appended
  store.reads = 0;
  await fresh.read(PKH, since + 1);
  expect(store.reads).toBeLessThan(20);
});

test('a clock that jumps 49 h ahead and comes back finds the day it spent: nothing it still counts is removed', async () => {
  const store = new MemorySpendingStore();
  let now = T0;
  const ledger = new ChainedSpendingLedger({ store, now: () => now, pruneEvery: 16 });
  for (let n = 0; n < 60; n++) {
    now = T0 + n * 60_000;
    await spend(ledger, { time: now, amount: 1_000_000n, fee: 0n });
  }
  // 200 more with the clock 49 h ahead: prunes run, and keep the real day (a week is kept)
  for (let n = 0; n < 200; n++) {
    now = T0 + 49 * HOUR + n * 60_000;
    await spend(ledger, { time: now, amount: 1n, fee: 0n });
  }
  now = T0 + 2 * HOUR;
  const back = new ChainedSpendingLedger({ store, now: () => now });
  const spent = (await back.read(PKH, now - DAY_MS)).spent;
  expect(spent.amount).toBeGreaterThanOrEqual(60_000_000n);
  expect(store.size(PKH)).toBe(260);
});

test('entries older than a week, judged against the clock and the newest entries, are removed oldest first; the window never is', async () => {
  const store = new MemorySpendingStore();
  let now = T0;
  const ledger = new ChainedSpendingLedger({ store, now: () => now, pruneEvery: 16 });
  for (let n = 0; n < 64; n++) await spend(ledger, { time: T0 + n * HOUR, amount: 1n, fee: 0n });
  // a process whose clock reads 9 days later appends at a pruning position: the entry before
  // its own (the last a right clock wrote) bounds what it may call old, so nothing goes
  now = T0 + 9 * DAY_MS;
  const ahead = new ChainedSpendingLedger({ store, now: () => now, pruneEvery: 16 });
  await spend(ahead, { time: now, amount: 1n, fee: 0n });
  await ahead.close();
  expect(store.size(PKH)).toBe(65);
  // once its own entries are the newest, what is a week older than them goes: the first 48 hours'
  for (let n = 1; n <= 16; n++) await spend(ahead, { time: now + n, amount: 1n, fee: 0n });
  await ahead.close();
  const kept = (await store.all(PKH)).map(([position]) => position);
  expect(kept[0]).toBe(48);
  expect(kept).toEqual(Array.from({ length: 81 - 48 }, (_, n) => 48 + n));
  // a right clock reading the store again, at the next pruning position: nothing more goes
  const right = new ChainedSpendingLedger({ store, now: () => T0 + 64 * HOUR, pruneEvery: 16 });
  for (let n = 0; n < 16; n++) await spend(right, { time: T0 + 64 * HOUR, amount: 1n, fee: 0n });
  await right.close();
  expect((await store.all(PKH))[0]?.[0]).toBe(48);
});

test('entries an older release wrote (no totals) are counted one by one, then the totals take over', async () => {
  const store = new MemorySpendingStore();
  for (let n = 0; n < 10; n++) await store.create(PKH, n, { time: T0 + n * HOUR, amount: 100n, fee: 1n });
  const ledger = new ChainedSpendingLedger({ store, now: () => T0 + 12 * HOUR });
  expect(await ledger.read(PKH, T0 + 5 * HOUR)).toEqual({ spent: { amount: 500n, fee: 5n }, next: 10 });
  await spend(ledger, { time: T0 + 12 * HOUR, amount: 7n, fee: 0n });
  // an older release appends after it, then this one again
  await store.create(PKH, 11, { time: T0 + 13 * HOUR, amount: 1_000n, fee: 0n });
  await spend(ledger, { time: T0 + 14 * HOUR, amount: 9n, fee: 0n });
  for (const since of [T0, T0 + 5 * HOUR, T0 + 12 * HOUR, T0 + 13 * HOUR, T0 + 14 * HOUR]) {
    expect((await new ChainedSpendingLedger({ store, now: () => T0 + 14 * HOUR }).read(PKH, since)).spent).toEqual(await exactSince(store, since));
    expect((await ledger.read(PKH, since)).spent).toEqual(await exactSince(store, since));
  }
  expect((await store.entryAt(PKH, 12))?.chain).toEqual({ amount: 10n * 100n + 7n + 1_000n + 9n, fee: 10n, latest: T0 + 14 * HOUR, run: 12, window: expect.any(Number) as unknown });
});

test('two processes that read the same last entry cannot both append after it', async () => {
  const store = new MemorySpendingStore();
  const [a, b] = [new ChainedSpendingLedger({ store, now: () => T0 }), new ChainedSpendingLedger({ store, now: () => T0 })];
  await spend(a, { time: T0, amount: 5n, fee: 0n });
  const [viewA, viewB] = [await a.read(PKH, 0), await b.read(PKH, 0)];
  expect(viewA).toEqual(viewB);
  const appended = await Promise.all([a.append(PKH, viewA.next, { time: T0, amount: 60n, fee: 0n }), b.append(PKH, viewB.next, { time: T0, amount: 70n, fee: 0n })]);
  expect(appended.filter(Boolean)).toHaveLength(1);
  expect((await b.read(PKH, 0)).spent.amount).toBe(appended[0] === true ? 65n : 75n);
  expect((await a.read(PKH, 0)).spent.amount).toBe(appended[0] === true ? 65n : 75n);
  // a position with nothing before it is refused, not written
  expect(await a.append(PKH, 10, { time: T0, amount: 1n, fee: 0n })).toBe(false);
});

test('totals that do not add up refuse (STORE_CORRUPT) rather than count a wrong sum', async () => {
  const store = new MemorySpendingStore();
  const ledger = new ChainedSpendingLedger({ store, now: () => T0 });
  await spend(ledger, { time: T0, amount: 5n, fee: 0n });
  await store.create(PKH, 1, { time: T0, amount: 5n, fee: 0n, chain: { amount: 6n, fee: 0n, latest: T0, run: 0, window: 0 } });
  const refused = await ledger.read(PKH, 0).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isTezsignerError(refused, 'STORE_CORRUPT')).toBe(true);
});

test('searchFirst finds the first position that holds from any hint, in few tests', async () => {
  for (const answer of [0, 1, 37, 500, 999]) {
    for (const hint of [0, 36, 37, 38, 998, 999, -5, 2000]) {
      let tests = 0;
      const found = await searchFirst(0, 999, hint, async (position) => {
        tests++;
        return position >= answer;
      });
      expect(found).toBe(answer);
      expect(tests).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(Math.abs(answer - Math.min(Math.max(hint, 0), 999)) + 2)) + 1);
    }
  }
});
