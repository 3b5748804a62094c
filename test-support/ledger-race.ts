// Two spending ledgers (two processes, two instances) that read the same view and both try to
// append at its position, as the ledgers' tests drive them.
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
