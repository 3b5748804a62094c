// What the spending ledger adds to a signature under a 24 h cap (issue 37): one read of what the
// key spent over the last 24 h and one durable append (an fsynced file), as the gatekeeper does
// them, for a key with a few entries and for one with 10,000 entries in its day; in a running
// process, and in a fresh one (`tezsigner sign --policy`, a new serve's first request), whose
// first read finds the last entry from the hint beside them and searches back from there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, type SpendingLedger } from '../packages/core/src/index.js';
import { FileSpendingLedger } from '../packages/local-adapter/src/index.js';
import { fillSpending } from '../test-support/spending-entries.js';
import { figures, measure, type Figures, type Sample } from './measure.js';
import { caseLine } from './report.js';

const ENTRIES = 10_000;
// each pair of cases (a few entries, 10,000) in alternating slices, so both meet the same machine
const SLICES = 6;
const SECONDS_PER_SLICE = 0.5;
const FULL = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const FEW = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const ms = { decimals: 3 } as const;

/** One signature's ledger step, as the gatekeeper takes it: read the day, append after it. */
async function step(ledger: SpendingLedger, pkh: string, now: number): Promise<void> {
  const view = await ledger.read(pkh, now - DAY_MS);
  if (!(await ledger.append(pkh, view.next, { time: now, amount: 1_000n, fee: 100n }))) throw new Error('lost a race nobody ran');
}

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-ledger-'));
  try {
    let now = Date.now();
    const clock = () => now;
    const expected = (await fillSpending(home, FULL, { count: ENTRIES, now, amount: 1_000n, fee: 100n })).amount;
    const ledger = await FileSpendingLedger.open({ home, now: clock });
    const first = await ledger.read(FULL, now - DAY_MS);
    if (first.next !== ENTRIES || first.spent.amount !== expected) throw new Error(`the ledger read ${first.spent.amount} mutez at ${first.next}, not ${expected} at ${ENTRIES}`);
    console.log(`file ledger in ${home}, one key with ${ENTRIES.toLocaleString('en')} entries in its day, one with a few; each pair of cases in ${SLICES} alternating slices of ${SECONDS_PER_SLICE} s, one operation at a time`);

    const tick = () => (now += 1);
    /** The same operation for a few entries and for ENTRIES, in alternating slices. */
    const pair = async (name: string, operation: (pkh: string) => Promise<unknown>): Promise<[Figures, Figures]> => {
      const samples: [Sample[], Sample[]] = [[], []];
      for (const pkh of [FEW, FULL]) await measure(1, 0.2, () => operation(pkh)); // warm-up
      for (let slice = 0; slice < SLICES; slice++) {
        samples[0].push(await measure(1, SECONDS_PER_SLICE, () => operation(FEW)));
        samples[1].push(await measure(1, SECONDS_PER_SLICE, () => operation(FULL)));
      }
      const result: [Figures, Figures] = [figures(samples[0]), figures(samples[1])];
      console.log(caseLine(`${name}, a few entries`, result[0], ms));
      console.log(caseLine(`${name}, ${ENTRIES.toLocaleString('en')} entries`, result[1], ms));
      return result;
    };
    const [readFew, readFull] = await pair('read', (pkh) => ledger.read(pkh, tick() - DAY_MS));
    const [stepFew, stepFull] = await pair('read + durable append', (pkh) => step(ledger, pkh, tick()));
    const [freshFew, freshFull] = await pair('fresh process: first read', async (pkh) => {
      const opened = await FileSpendingLedger.open({ home, now: clock });
      await opened.read(pkh, tick() - DAY_MS);
      await opened.close();
    });
    await ledger.close();

    const more = (a: Figures, b: Figures) => `${(b.p50 - a.p50).toFixed(3)} ms`;
    console.log(
      `at ${ENTRIES.toLocaleString('en')} entries, over a few: read p50 +${more(readFew, readFull)}, step p50 +${more(stepFew, stepFull)}, fresh first read p50 +${more(freshFew, freshFull)}; ` +
        `a step at ${ENTRIES.toLocaleString('en')} takes p50 ${stepFull.p50.toFixed(3)} ms of which the read ${readFull.p50.toFixed(3)} ms (target: under 1 ms)`,
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
