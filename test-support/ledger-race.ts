// Two spending ledgers (two processes, two instances) that read the same view and both try to
// append at its position, as the ledgers' tests drive them.
import { expect } from 'vitest';
import type { SpendingLedger } from '../packages/core/src/ports/spending-ledger.js';

/** Both read, both append 60 and 70 mutez (fee 1) at the position read; what each saw and did. */
export async function raceForOnePosition(a: SpendingLedger, b: SpendingLedger, pkh: string, time: number) {
  const [viewA, viewB] = [await a.read(pkh, 0), await b.read(pkh, 0)];
  const appended = await Promise.all([
    a.append(pkh, viewA.next, { time, amount: 60n, fee: 1n }),
    b.append(pkh, viewB.next, { time, amount: 70n, fee: 1n }),
  ]);
  return { views: [viewA, viewB], appended, winner: appended[0] === true ? 60n : 70n };
}

/**
 * What a ledger shared by several signers must keep, on a key with no spending yet: two instances
 * racing for one position take it once, each reads the other's entries, amounts beyond 64 bits
 * stay exact, a fresh instance (a restart) reads them all, and another key's spending is its own.
 * `open` gives a new instance over the same backing data each call.
 */
export async function expectOneSharedLedger(open: () => SpendingLedger, pkh: string, otherPkh: string, time: number): Promise<void> {
  const [a, b] = [open(), open()];
  const { views, appended, winner } = await raceForOnePosition(a, b, pkh, time);
  expect(views).toEqual([{ spent: { amount: 0n, fee: 0n }, next: 0 }, { spent: { amount: 0n, fee: 0n }, next: 0 }]);
  expect(appended.filter(Boolean)).toHaveLength(1);
  expect(await b.read(pkh, 0)).toEqual({ spent: { amount: winner, fee: 1n }, next: 1 });
  expect(await b.append(pkh, 1, { time: time + 5, amount: 2n ** 70n, fee: 0n })).toBe(true);
  expect(await a.read(pkh, time + 1)).toEqual({ spent: { amount: 2n ** 70n, fee: 0n }, next: 2 });
  expect(await open().read(pkh, 0)).toEqual({ spent: { amount: winner + 2n ** 70n, fee: 1n }, next: 2 });
  expect(await a.read(otherPkh, 0)).toEqual({ spent: { amount: 0n, fee: 0n }, next: 0 });
}
