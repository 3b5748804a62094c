import { afterAll, beforeAll, expect, test } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { DAY_MS } from '@tezsigner/core';
import { TableSpendingLedger, TableSpendingStore } from '../src/index.js';
import { expectOneSharedLedger } from '../../../test-support/ledger-race.js';
import { startAzurite, type Azurite } from './support/azurite.js';

const PKH = 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx';
const T0 = Date.UTC(2026, 0, 1);

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const ledger = (tableName: string) => new TableSpendingLedger({ connectionString: azurite.connectionString, tableName });

test("two instances on one table: a position is taken once (insert if absent), each reads the other's entries, a restart reads them all", async () => {
  await expectOneSharedLedger(() => ledger('spendone'), PKH, 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6', T0);
});

test('the table down: reads fail closed with STORE_UNAVAILABLE', async () => {
  const gone = new TableSpendingLedger({ connectionString: azurite.connectionString.replace(/:\d+\//, ':1/'), tableName: 'spendgone', timeoutMs: 500 });
  await expect(gone.read(PKH, 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/spending table spendgone/) as unknown });
});

test('rows carry running totals; a fresh instance starts from the hint row and counts what the window holds', async () => {
  const writer = ledger('spendtotals');
  for (let at = 0; at < 150; at++) expect(await writer.append(PKH, at, { time: T0 + at * 60_000, amount: 1_000n, fee: 10n })).toBe(true);
  const client = TableClient.fromConnectionString(azurite.connectionString, 'spendtotals', { allowInsecureConnection: true });
  expect(await client.getEntity('~head', PKH)).toMatchObject({ Position: 128 });
  expect(await client.getEntity(PKH, '000000000149')).toMatchObject({ Time: T0 + 149 * 60_000, Amount: '1000', Fee: '10', ChainAmount: '150000', ChainFee: '1500', ChainLatest: T0 + 149 * 60_000, ChainRun: 0 });
  const fresh = ledger('spendtotals');
  expect(await fresh.read(PKH, T0 + 100 * 60_000)).toEqual({ spent: { amount: 50_000n, fee: 500n }, next: 150 });
  expect(await fresh.read(PKH, T0 + 149 * 60_000 - DAY_MS)).toEqual({ spent: { amount: 150_000n, fee: 1_500n }, next: 150 });
});

test('rows an older release wrote (no totals) are counted with the new ones; old rows go oldest first', async () => {
  const client = TableClient.fromConnectionString(azurite.connectionString, 'spendolder', { allowInsecureConnection: true });
  await client.createTable();
  for (let at = 0; at < 3; at++) await client.createEntity({ partitionKey: PKH, rowKey: String(at).padStart(12, '0'), Time: T0 + at, Amount: '100', Fee: '1' });
  const instance = ledger('spendolder');
  expect(await instance.read(PKH, T0 + 1)).toEqual({ spent: { amount: 200n, fee: 2n }, next: 3 });
  expect(await instance.append(PKH, 3, { time: T0 + 3, amount: 5n, fee: 0n })).toBe(true);
  expect(await ledger('spendolder').read(PKH, T0 + 1)).toEqual({ spent: { amount: 205n, fee: 2n }, next: 4 });
  const store = new TableSpendingStore({ connectionString: azurite.connectionString, tableName: 'spendolder' });
  await store.removeBefore(PKH, 2);
  expect((await store.all(PKH)).map(([position]) => position)).toEqual([2, 3]);
  expect(await ledger('spendolder').read(PKH, 0)).toEqual({ spent: { amount: 105n, fee: 1n }, next: 4 });
});
