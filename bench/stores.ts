// Check-and-advance rates of the two durable watermark stores: the file store (one machine)
// and the Azure Table store (shared by several signers), against Azurite on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatermarkKey, WatermarkStore } from '../packages/core/src/index.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { TableWatermarkStore } from '../packages/azure-adapter/src/index.js';
import { startAzurite } from '../packages/azure-adapter/test/support/azurite.js';

const SECONDS_PER_CASE = 3;
const CONCURRENCY = 16;

const keyOf = (i: number): WatermarkKey => ({
  chainId: 'NetXdQprcVkpaWU',
  // Distinct keys, each its own watermark (and file, or table row); not real addresses, the stores do not care.
  pkh: `tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKx${'ABCDEFGHJKLMNPQRSTUVWXYZ'.charAt(i % 24)}${Math.floor(i / 24) + 1}`,
  kind: 'attestation',
});
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

interface Figures {
  readonly ops: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/**
 * `workers` loops, each on its own key, each advancing its level one by one for the case's
 * duration. `stores[i % stores.length]` serves the i-th operation of a worker, so two stores
 * alternate as two signer instances behind one address would.
 */
async function measure(stores: readonly WatermarkStore[], workers: number, firstKey: number, withRecord: boolean): Promise<Figures> {
  const latencies: number[] = [];
  const until = performance.now() + SECONDS_PER_CASE * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const key = keyOf(firstKey + w);
      for (let level = 1; performance.now() < until; level++) {
        const store = stores[level % stores.length] as WatermarkStore;
        const t0 = performance.now();
        const mark = { level, round: 0, hash: hashOf(level) };
        const result = await store.checkAndAdvance(key, mark);
        if (withRecord) await store.record(key, mark, 'edsigBenchmark');
        latencies.push(performance.now() - t0);
        if (result.outcome !== 'advanced') throw new Error(`expected an advance at level ${level}, got ${result.outcome}`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const line = (name: string, f: Figures) =>
  `${name.padEnd(44)} ${f.perSecond.toFixed(0).padStart(7)} ops/s   p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms   (${f.ops} ops)`;

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'bench-stores-'));
  const azurite = await startAzurite();
  try {
    const file = await FileWatermarkStore.open({ home });
    const table = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'benchmarks' });
    const other = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'benchmarks' });
    // Create the table outside the timed cases.
    await table.list();

    const results: Array<[string, Figures]> = [];
    let nextKey = 0;
    const run1 = async (name: string, stores: readonly WatermarkStore[], workers: number, withRecord = false) => {
      const figures = await measure(stores, workers, nextKey, withRecord);
      nextKey += workers;
      results.push([name, figures]);
      console.log(line(name, figures));
    };
    console.log(`each case ${SECONDS_PER_CASE} s; every operation advances (the common case of a baker); Azurite in memory on loopback`);
    await run1('file, sequential (1 key)', [file], 1);
    await run1(`file, ${CONCURRENCY}-way concurrent (${CONCURRENCY} keys)`, [file], CONCURRENCY);
    await run1('azure-table, sequential (1 key)', [table], 1);
    await run1(`azure-table, ${CONCURRENCY}-way concurrent (${CONCURRENCY} keys)`, [table], CONCURRENCY);
    // Two instances taking turns: each write follows the other's, so every advance reads first.
    await run1('azure-table, 2 instances alternating (1 key)', [table, other], 1);
    await run1(`azure-table, 2 instances alternating, ${CONCURRENCY}-way`, [table, other], CONCURRENCY);
    // What a signature really costs the store: the advance, then recording the signature.
    await run1('file, advance + record, sequential', [file], 1, true);
    await run1('azure-table, advance + record, sequential', [table], 1, true);

    const rate = (name: string) => results.find(([n]) => n.startsWith(name))?.[1].perSecond ?? Number.NaN;
    console.log(
      `ratios: table/file sequential ${(rate('azure-table, sequential') / rate('file, sequential')).toFixed(2)}, ` +
        `table/file ${CONCURRENCY}-way ${(rate(`azure-table, ${CONCURRENCY}-way`) / rate(`file, ${CONCURRENCY}-way`)).toFixed(2)}, ` +
        `alternating/one-instance sequential ${(rate('azure-table, 2 instances alternating (1') / rate('azure-table, sequential')).toFixed(2)}, ` +
        `table/file advance+record ${(rate('azure-table, advance + record') / rate('file, advance + record')).toFixed(2)}`,
    );
  } finally {
    await azurite.stop();
    await rm(home, { recursive: true, force: true });
  }
}
