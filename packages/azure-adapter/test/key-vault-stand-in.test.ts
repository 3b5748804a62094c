import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';

// The stand-in refuses what the real vault refuses, or the provider's tests would prove nothing.

let standIn: KeyVaultStandIn;
beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
});
afterEach(async () => {
  await standIn.stop();
});

test.each([
  ['SECP256K1', 'ES256K', "uses curve 'SECP256K1', and algorithm 'ES256K' can only be used with curve 'P-256K'."],
  ['P-256K', 'ECDSA256', "uses curve 'P-256K', and algorithm 'ECDSA256' can only be used with curve 'P-256' or 'SECP256K1'."],
] as const)('a %s key refuses %s with the vault’s BadParameter, and signs with the other', async (crv, refused, words) => {
  const stored = standIn.vault.generate({ name: 'k', curve: 'secp256k1', crv });
  const key = await new KeyClient(standIn.url, standIn.credential(), standIn.clientOptions()).getKey('k');
  const client = new CryptographyClient(key, standIn.credential(), standIn.clientOptions());
  const err = (await rejection(client.sign(refused, new Uint8Array(32).fill(1)))) as { statusCode?: number; code?: string; message?: string };
  expect(err).toMatchObject({ statusCode: 400, code: 'BadParameter' });
  expect(err.message).toBe(`Key and signing algorithm are incompatible. Key ${standIn.url}/keys/k/${stored.version} ${words}`);
  const accepted = crv === 'SECP256K1' ? 'ECDSA256' : 'ES256K';
  expect((await client.sign(accepted, new Uint8Array(32).fill(1))).result).toHaveLength(64);
});
