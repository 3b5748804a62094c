import { afterAll, beforeAll, expect, test } from 'vitest';
import { TableSpendingLedger } from '../src/index.js';
import { raceForOnePosition } from '../../../test-support/ledger-race.js';
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

test('two instances: a position is taken once (insert if absent), and each reads the other\'s entries', async () => {
  const [a, b] = [ledger('spendone'), ledger('spendone')];
  const { views, appended, winner } = await raceForOnePosition(a, b, PKH, T0);
  expect(views).toEqual([{ spent: { amount: 0n, fee: 0n }, next: 0 }, { spent: { amount: 0n, fee: 0n }, next: 0 }]);
  expect(appended.filter(Boolean)).toHaveLength(1);
  expect(await b.read(PKH, 0)).toEqual({ spent: { amount: winner, fee: 1n }, next: 1 });
  expect(await b.append(PKH, 1, { time: T0 + 5, amount: 2n ** 70n, fee: 0n })).toBe(true);
  expect(await a.read(PKH, T0 + 1)).toEqual({ spent: { amount: 2n ** 70n, fee: 0n }, next: 2 });
  // a fresh instance (a restart) reads them all from the table
  expect(await ledger('spendone').read(PKH, 0)).toEqual({ spent: { amount: winner + 2n ** 70n, fee: 1n }, next: 2 });
});

test('the table down: reads fail closed with STORE_UNAVAILABLE', async () => {
  const gone = new TableSpendingLedger({ connectionString: azurite.connectionString.replace(/:\d+\//, ':1/'), tableName: 'spendgone', timeoutMs: 500 });
  await expect(gone.read(PKH, 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/spending table spendgone/) as unknown });
});
