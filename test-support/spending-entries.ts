// A key's day of spending written into a home's ledger folder at once, in the ledger's own format
// with the totals the ledger itself works out: for the tests and the benchmark at 10,000 entries,
// which could not wait for 10,000 signatures (nor 10,000 fsyncs: the files are written plainly).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainedSpendingLedger, DAY_MS, MemorySpendingStore } from '../packages/core/src/index.js';
import { serializeEntry } from '../packages/local-adapter/src/spending/entry-file.js';

/**
 * `count` entries of `amount` mutez (fee `fee`) spread over the `spanMs` (default a day) before
 * `now`, each appended after a read of its day as a signer appends it; then written into
 * `<home>/spending/<pkh>/`, 64 at a time. Returns what they spent.
 */
export async function fillSpending(home: string, pkh: string, options: { count: number; now: number; amount: bigint; fee: bigint; spanMs?: number }): Promise<{ amount: bigint; fee: bigint }> {
  const { count, now, amount, fee, spanMs = DAY_MS } = options;
  const memory = new MemorySpendingStore();
  const planner = new ChainedSpendingLedger({ store: memory, now: () => now });
  for (let at = 0; at < count; at++) {
    const time = now - spanMs + 1 + Math.floor((at * (spanMs - 2)) / count);
    const view = await planner.read(pkh, time - DAY_MS);
    if (!(await planner.append(pkh, view.next, { time, amount, fee }))) throw new Error(`no entry at ${view.next}`);
  }
  const folder = join(home, 'spending', pkh);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const entries = await memory.all(pkh);
  for (let from = 0; from < entries.length; from += 64) {
    await Promise.all(entries.slice(from, from + 64).map(([position, entry]) => writeFile(join(folder, `${String(position).padStart(12, '0')}.json`), serializeEntry(entry), { mode: 0o600 })));
  }
  return { amount: BigInt(count) * amount, fee: BigInt(count) * fee };
}
