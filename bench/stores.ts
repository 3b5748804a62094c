// What a signature costs each durable watermark store (read the mark, then one conditional
// commit of mark and signature): the file store (one machine), the Azure Table store (shared by
// several signers) against Azurite on loopback, and the PostgreSQL store against a throwaway
// cluster on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatermarkStore } from '../packages/core/src/index.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { TableWatermarkStore } from '../packages/azure-adapter/src/index.js';
import { startAzurite } from '../packages/azure-adapter/test/support/azurite.js';
import { PostgresWatermarkStore } from '../packages/postgres-adapter/src/index.js';
import { startPostgres } from '../packages/postgres-adapter/test/support/postgres-cluster.js';
import type { Figures } from './measure.js';
import { caseLine } from './report.js';
import { measureCommits } from './watermark-commits.js';

const SECONDS_PER_CASE = 3;
const CONCURRENCY = 16;

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'bench-stores-'));
  const azurite = await startAzurite();
  const cluster = await startPostgres();
  const postgres = [0, 1].map(() => new PostgresWatermarkStore({ url: cluster.url(), schema: 'bench' }));
  try {
    const file = await FileWatermarkStore.open({ home });
    const table = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'benchmarks' });
    const other = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'benchmarks' });
    // Create the table outside the timed cases.
    await table.list();

    const results: Array<[string, Figures]> = [];
    let nextKey = 0;
    const run1 = async (name: string, stores: readonly WatermarkStore[], workers: number) => {
      const figures = await measureCommits(stores, { workers, firstKey: nextKey, seconds: SECONDS_PER_CASE });
      nextKey += workers;
      results.push([name, figures]);
      console.log(caseLine(name, figures));
    };
    console.log(
      `each case ${SECONDS_PER_CASE} s; every operation is one signature's read + commit at a new level ` +
        '(the common case of a baker); Azurite in memory on loopback',
    );
    await run1('file, sequential (1 key)', [file], 1);
    await run1(`file, ${CONCURRENCY}-way concurrent (${CONCURRENCY} keys)`, [file], CONCURRENCY);
    // One instance: its read is its memory of the row, its commit one conditional write.
    await run1('azure-table, sequential (1 key)', [table], 1);
    await run1(`azure-table, ${CONCURRENCY}-way concurrent (${CONCURRENCY} keys)`, [table], CONCURRENCY);
    // Two instances taking turns: each commit follows the other's write, so it conflicts once and re-reads.
    await run1('azure-table, 2 instances alternating (1 key)', [table, other], 1);
    await run1(`azure-table, 2 instances alternating, ${CONCURRENCY}-way`, [table, other], CONCURRENCY);
    // One statement per commit, the database deciding under the row's lock; its read is its memory of the row.
    await postgres[0]!.list();
    await run1('postgres, sequential (1 key)', postgres.slice(0, 1), 1);
    await run1(`postgres, ${CONCURRENCY}-way concurrent (${CONCURRENCY} keys)`, postgres.slice(0, 1), CONCURRENCY);
    await run1('postgres, 2 instances alternating (1 key)', postgres, 1);
    await run1(`postgres, 2 instances alternating, ${CONCURRENCY}-way`, postgres, CONCURRENCY);

    const rate = (name: string) => results.find(([n]) => n.startsWith(name))?.[1].perSecond ?? Number.NaN;
    console.log(
      `ratios: table/file sequential ${(rate('azure-table, sequential') / rate('file, sequential')).toFixed(2)}, ` +
        `table/file ${CONCURRENCY}-way ${(rate(`azure-table, ${CONCURRENCY}-way`) / rate(`file, ${CONCURRENCY}-way`)).toFixed(2)}, ` +
        `alternating/one-instance sequential ${(rate('azure-table, 2 instances alternating (1') / rate('azure-table, sequential')).toFixed(2)}, ` +
        `postgres/file sequential ${(rate('postgres, sequential') / rate('file, sequential')).toFixed(2)}, ` +
        `postgres alternating/one-instance ${(rate('postgres, 2 instances alternating (1') / rate('postgres, sequential')).toFixed(2)}`,
    );
  } finally {
    await Promise.all(postgres.map((store) => store.close()));
    await cluster.remove();
    await azurite.stop();
    await rm(home, { recursive: true, force: true });
  }
}
