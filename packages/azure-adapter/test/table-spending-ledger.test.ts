import { afterAll, beforeAll, expect, test } from 'vitest';
import { TableSpendingLedger } from '../src/index.js';
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
