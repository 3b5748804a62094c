// The local backends against the contracts of core's ports, as a library user would check a
// backend of their own (@tezsigner/core/testing).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURVES } from '@tezsigner/core';
import { checkKeyProvider, checkWatermarkStore } from '@tezsigner/core/testing';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { FileWatermarkStore, LocalKeyVault } from '../src/index.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-contracts-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

test('FileWatermarkStore keeps the WatermarkStore contract, two instances on one home racing included', async () => {
  await expect(checkWatermarkStore(() => FileWatermarkStore.open({ home }))).resolves.toBeUndefined();
});

test("the local vault's key provider keeps the KeyProvider contract on every curve, encrypted and plain", async () => {
  const vault = await LocalKeyVault.open({ home, passphrase: 'contract check' });
  for (const curve of CURVES) await vault.generate(curve, { name: `enc-${curve}` });
  await vault.generate('ed25519', { name: 'plain', plain: true });
  await expect(checkKeyProvider(await vault.keyProvider())).resolves.toBeUndefined();
});
