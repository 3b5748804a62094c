import { afterAll, beforeAll, expect, test } from 'vitest';
import { PostgresSpendingLedger } from '../src/index.js';
import { raceForOnePosition } from '../../../test-support/ledger-race.js';
import { startPostgres, type PostgresCluster } from './support/postgres-cluster.js';

const PKH = 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx';
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

test("two instances: a position is taken once (insert if absent), and each reads the other's entries", async () => {
  const [a, b] = [ledger('spendone'), ledger('spendone')];
  const { views, appended, winner } = await raceForOnePosition(a, b, PKH, T0);
  expect(views).toEqual([{ spent: { amount: 0n, fee: 0n }, next: 0 }, { spent: { amount: 0n, fee: 0n }, next: 0 }]);
  expect(appended.filter(Boolean)).toHaveLength(1);
  expect(await b.read(PKH, 0)).toEqual({ spent: { amount: winner, fee: 1n }, next: 1 });
  // amounts beyond 64 bits are kept exactly
  expect(await b.append(PKH, 1, { time: T0 + 5, amount: 2n ** 70n, fee: 0n })).toBe(true);
  expect(await a.read(PKH, T0 + 1)).toEqual({ spent: { amount: 2n ** 70n, fee: 0n }, next: 2 });
  // a fresh instance (a restart) reads them all from the database
  expect(await ledger('spendone').read(PKH, 0)).toEqual({ spent: { amount: winner + 2n ** 70n, fee: 1n }, next: 2 });
  // another key's spending is its own
  expect(await a.read('tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6', 0)).toEqual({ spent: { amount: 0n, fee: 0n }, next: 0 });
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
