import { afterAll, beforeAll, expect, test } from 'vitest';
import { PostgresSpendingLedger } from '../src/index.js';
import { expectOneSharedLedger } from '../../../test-support/ledger-race.js';
import { startPostgres, type PostgresCluster } from './support/postgres-cluster.js';

const PKH = 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx';
const OTHER = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const T0 = Date.UTC(2026, 0, 1);

let cluster: PostgresCluster;
let url: string;
beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('ledger');
});
const opened: PostgresSpendingLedger[] = [];
afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await cluster?.remove();
});

const ledger = (schema: string, at = url) => {
  const l = new PostgresSpendingLedger({ url: at, schema, timeoutMs: 15_000 });
  opened.push(l);
  return l;
};

test("two instances on one database: a position is taken once (insert if absent), each reads the other's entries, a restart reads them all", async () => {
  await expectOneSharedLedger(() => ledger('spendone'), PKH, OTHER, T0);
});

test('old entries are pruned once no window counts them, the last position kept', async () => {
  const l = ledger('spendprune');
  const DAY = 24 * 3600 * 1000;
  // 63 entries three days old, then the 64th append (now) prunes them
  for (let at = 0; at < 63; at++) expect(await l.append(PKH, at, { time: T0 + at, amount: 1n, fee: 1n })).toBe(true);
  expect(await l.append(PKH, 63, { time: T0 + 3 * DAY, amount: 5n, fee: 0n })).toBe(true);
  const rows = await cluster.query<{ seq: string }>('SELECT seq FROM spendprune.spending ORDER BY seq', [], 'ledger');
  expect(rows.rows.map((r) => Number(r.seq))).toEqual([63]);
  expect(await l.read(PKH, T0 + 3 * DAY - DAY)).toEqual({ spent: { amount: 5n, fee: 0n }, next: 64 });
});

test('the database down: reads and appends fail closed with STORE_UNAVAILABLE naming the spending table', async () => {
  const gone = ledger('spendgone', url.replace(`:${cluster.port}/`, ':1/'));
  await expect(gone.read(PKH, 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/spending table in PostgreSQL 127\.0\.0\.1:1\/ledger/) as unknown });
  await expect(gone.append(PKH, 0, { time: T0, amount: 1n, fee: 0n })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
});
