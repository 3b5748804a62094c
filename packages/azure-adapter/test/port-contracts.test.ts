// The Azure backends against the contracts of core's ports (@tezsigner/core/testing): the table
// store on Azurite, several instances over one table, and the Key Vault provider through the real
// SDK talking to the stand-in.
import { checkKeyProvider, checkWatermarkStore } from '@tezsigner/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AzureKeyVaultProvider, TableWatermarkStore } from '../src/index.js';
import { startAzurite, type Azurite } from './support/azurite.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';

let azurite: Azurite | undefined;
let standIn: KeyVaultStandIn | undefined;
beforeAll(async () => {
  [azurite, standIn] = await Promise.all([startAzurite(), KeyVaultStandIn.start()]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), standIn?.stop()]);
});

test('TableWatermarkStore keeps the WatermarkStore contract on Azurite, instances racing over one table included', async () => {
  const { connectionString } = azurite as Azurite;
  const tableName = `contract${process.pid}`;
  await expect(checkWatermarkStore(() => new TableWatermarkStore({ connectionString, tableName }))).resolves.toBeUndefined();
});

test('AzureKeyVaultProvider keeps the KeyProvider contract (tz2 and tz3 keys, random nonces, high-S answers)', async () => {
  const vault = standIn as KeyVaultStandIn;
  vault.vault.generate({ name: 'contract-tz2', curve: 'secp256k1' });
  vault.vault.generate({ name: 'contract-tz3', curve: 'p256' });
  const provider = new AzureKeyVaultProvider({ vaultUrl: vault.url, credential: vault.credential(), clientOptions: vault.clientOptions(), logger: { info: () => undefined, warn: () => undefined } });
  try {
    await expect(checkKeyProvider(provider)).resolves.toBeUndefined();
  } finally {
    await provider.close?.();
  }
});
