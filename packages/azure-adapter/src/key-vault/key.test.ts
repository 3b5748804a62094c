import type { KeyVaultKey } from '@azure/keyvault-keys';
import { expect, test } from 'vitest';
import { azureKeyVectors, type AzureKeyVector } from '../../../../test-support/vectors.js';
import { toVaultKey } from './key.js';

const [tz2Vector, tz3Vector] = azureKeyVectors() as [AzureKeyVector, AzureKeyVector];

/** A KeyVaultKey shaped as the SDK returns it. */
function vaultKey(vector: AzureKeyVector, changes: { crv?: string; kty?: string; keyOps?: string[]; enabled?: boolean; notBefore?: Date; expiresOn?: Date } = {}): KeyVaultKey {
  const keyOps = changes.keyOps ?? ['sign', 'verify'];
  return {
    name: 'k',
    id: 'https://v.vault.azure.net/keys/k/0123',
    keyOperations: keyOps,
    key: {
      kid: 'https://v.vault.azure.net/keys/k/0123',
      kty: changes.kty ?? vector.kty,
      crv: changes.crv ?? vector.crv_as_returned,
      x: Buffer.from(vector.x, 'base64url'),
      y: Buffer.from(vector.y, 'base64url'),
      keyOps,
    },
    properties: {
      name: 'k',
      version: '0123',
      vaultUrl: 'https://v.vault.azure.net',
      enabled: changes.enabled ?? true,
      notBefore: changes.notBefore,
      expiresOn: changes.expiresOn,
    },
  };
}

test('the vectors: SECP256K1 (old name) and P-256 keys get their tz2/tz3 identity', () => {
  for (const vector of [tz2Vector, tz3Vector]) {
    const verdict = toVaultKey(vaultKey(vector));
    expect(verdict).toMatchObject({ usable: { name: 'k', version: '0123', pkh: vector.public_key_hash, publicKey: vector.public_key } });
  }
  // the vault signs with ECDSA256 for the old curve name: it refuses ES256K for a SECP256K1 key
  expect(toVaultKey(vaultKey(tz2Vector))).toMatchObject({ usable: { curve: 'secp256k1', algorithm: 'ECDSA256' } });
  expect(toVaultKey(vaultKey(tz3Vector))).toMatchObject({ usable: { curve: 'p256', algorithm: 'ES256' } });
});

test('P-256K (the current name) is secp256k1 too, signed with ES256K', () => {
  expect(toVaultKey(vaultKey(tz2Vector, { crv: 'P-256K' }))).toMatchObject({ usable: { pkh: tz2Vector.public_key_hash, algorithm: 'ES256K' } });
});

test('an EC-HSM key is hardware-protected, a plain EC key is not', () => {
  expect(toVaultKey(vaultKey(tz3Vector, { kty: 'EC-HSM' }))).toMatchObject({ usable: { hardwareProtected: true } });
  expect(toVaultKey(vaultKey(tz3Vector, { kty: 'EC' }))).toMatchObject({ usable: { hardwareProtected: false } });
});

test('every key it cannot sign with is skipped with the reason', () => {
  const day = 24 * 3600 * 1000;
  const cases: Array<[KeyVaultKey, RegExp]> = [
    [vaultKey(tz2Vector, { enabled: false }), /disabled/],
    [vaultKey(tz2Vector, { kty: 'RSA' }), /RSA/],
    [vaultKey(tz2Vector, { crv: 'P-384' }), /P-384/],
    [vaultKey(tz2Vector, { keyOps: ['verify'] }), /sign/],
    [vaultKey(tz2Vector, { notBefore: new Date(Date.now() + day) }), /not valid before/],
    [vaultKey(tz2Vector, { expiresOn: new Date(Date.now() - day) }), /expired/],
    // x of one curve's key on the other curve: not a point of it
    [vaultKey(tz3Vector, { crv: 'P-256K' }), /not valid/],
  ];
  for (const [key, reason] of cases) {
    const verdict = toVaultKey(key);
    expect('skipped' in verdict && verdict.skipped).toMatch(reason);
  }
});
