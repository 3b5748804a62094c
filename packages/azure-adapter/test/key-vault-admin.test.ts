import { isTezsignerError } from '@tezsigner/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';
import { AzureKeyVaultProvider, createVaultKey, importVaultKey, listVaultKeys, type VaultConnection } from '../src/index.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';
import { taquitoIdentity } from './support/taquito-check.js';

interface EncryptedKeyVector {
  curve: string;
  encrypted_secret_key: string;
  passphrase: string;
  public_key_hash: string;
}

let standIn: KeyVaultStandIn;
let connection: VaultConnection;

beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
  connection = { vaultUrl: standIn.url, credential: standIn.credential(), clientOptions: standIn.clientOptions() };
});
afterEach(async () => {
  await standIn.stop();
});

const vectorOf = (name: string) => {
  const found = keyVectors().find((k) => k.name === name);
  if (found === undefined) throw new Error(`no key vector ${name}`);
  return found;
};

describe('createVaultKey', () => {
  test.each([
    ['secp256k1', 'P-256K', 'tz2'],
    ['p256', 'P-256', 'tz3'],
  ] as const)('%s: an EC-HSM %s key, not exportable, sign/verify only, with its %s address', async (curve, crv, prefix) => {
    const created = await createVaultKey(connection, curve, `new-${curve}`);
    const stored = standIn.vault.current(`new-${curve}`);
    expect(stored).toMatchObject({ kty: 'EC-HSM', crv, exportable: false, keyOps: ['sign', 'verify'] });
    const expected = await taquitoIdentity(curve, stored?.d as Uint8Array);
    expect(created).toEqual({ name: `new-${curve}`, version: stored?.version, usable: true, curve, ...expected });
    expect(created.pkh?.slice(0, 3)).toBe(prefix);
  });

  test('refuses a name already in the vault: a new version would silently change the address', async () => {
    const first = await createVaultKey(connection, 'secp256k1', 'baker');
    for (const attempt of [createVaultKey(connection, 'p256', 'baker'), importVaultKey(connection, vectorOf('p256-1').secret_key, 'baker')]) {
      const err = await rejection(attempt);
      expect(isTezsignerError(err, 'CONFIG_INVALID') && err.message).toMatch(new RegExp(`already has a key named baker \\(${first.pkh}\\)`));
    }
    expect(standIn.vault.current('baker')?.version).toBe(first.version);
    expect(standIn.authorized('create')).toHaveLength(1);
  });

  test('a bad name is BAD_REQUEST before any request', async () => {
    const err = await rejection(createVaultKey(connection, 'secp256k1', 'no spaces/allowed'));
    expect(isTezsignerError(err, 'BAD_REQUEST')).toBe(true);
    expect(standIn.requests).toEqual([]);
  });

  test('is not repeated after a server error (it may have made the key), but is after throttling', async () => {
    standIn.inject('create', { kind: 'status', status: 500 });
    const err = await rejection(createVaultKey(connection, 'p256', 'once'));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/500/);
    expect(standIn.authorized('create')).toHaveLength(1);

    standIn.inject('create', { kind: 'throttle', retryAfterSeconds: 0 });
    const created = await createVaultKey(connection, 'p256', 'twice');
    expect(created.usable).toBe(true);
    expect(standIn.authorized('create').map((r) => r.status)).toEqual([500, 429, 200]);
  });
});

describe('importVaultKey', () => {
  test.each(['secp256k1-1', 'p256-1'])('%s: imported HSM-protected, not exportable, with the address of the vector', async (name) => {
    const vector = vectorOf(name);
    const imported = await importVaultKey(connection, vector.secret_key, 'imported');
    expect(imported).toMatchObject({ name: 'imported', usable: true, curve: vector.curve, pkh: vector.public_key_hash, publicKey: vector.public_key });
    expect(standIn.vault.current('imported')).toMatchObject({ kty: 'EC-HSM', exportable: false, keyOps: ['sign', 'verify'] });
    // and the provider signs with it under the same address
    const provider = new AzureKeyVaultProvider({ ...connection, logger: { info: () => undefined, warn: () => undefined } });
    expect((await provider.listKeys()).map((k) => k.pkh)).toEqual([vector.public_key_hash]);
  });

  test("accepts octez-client's unencrypted:/encrypted: tags", async () => {
    const vector = vectorOf('p256-2');
    expect((await importVaultKey(connection, `unencrypted:${vector.secret_key}`, 'tagged')).pkh).toBe(vector.public_key_hash);
    const encrypted = loadVectors<{ keys: EncryptedKeyVector[] }>('encrypted-keys').keys.find((k) => k.curve === 'p256');
    if (encrypted === undefined) throw new Error('no p256 encrypted key vector');
    const imported = await importVaultKey(connection, `encrypted:${encrypted.encrypted_secret_key}`, 'tagged-2', { passphrase: encrypted.passphrase });
    expect(imported.pkh).toBe(encrypted.public_key_hash);
  });

  test('an encrypted key (spesk/p2esk) needs its passphrase', async () => {
    const vectors = loadVectors<{ keys: EncryptedKeyVector[] }>('encrypted-keys').keys.filter((k) => k.curve === 'secp256k1' || k.curve === 'p256');
    expect(vectors.length).toBeGreaterThan(0);
    for (const [i, vector] of vectors.entries()) {
      const imported = await importVaultKey(connection, vector.encrypted_secret_key, `encrypted-${i}`, { passphrase: vector.passphrase });
      expect(imported.pkh).toBe(vector.public_key_hash);
    }
    const first = vectors[0] as EncryptedKeyVector;
    expect(isTezsignerError(await rejection(importVaultKey(connection, first.encrypted_secret_key, 'x')), 'WRONG_PASSPHRASE')).toBe(true);
    expect(
      isTezsignerError(await rejection(importVaultKey(connection, first.encrypted_secret_key, 'x', { passphrase: 'not it' })), 'WRONG_PASSPHRASE'),
    ).toBe(true);
  });

  test('Ed25519 and BLS keys are NOT_SUPPORTED (Key Vault has no such curves), and nothing is sent', async () => {
    for (const name of ['ed25519-1', 'bls12_381-1']) {
      const err = await rejection(importVaultKey(connection, vectorOf(name).secret_key, 'nope'));
      expect(isTezsignerError(err, 'NOT_SUPPORTED')).toBe(true);
    }
    expect(standIn.requests).toEqual([]);
  });

  test('a malformed secret key is a typed error that does not echo the key', async () => {
    const secret = vectorOf('secp256k1-1').secret_key;
    const err = await rejection(importVaultKey(connection, `${secret.slice(0, -1)}x`, 'typo'));
    expect(isTezsignerError(err, 'INVALID_ENCODING')).toBe(true);
    expect((err as Error).message).not.toContain(secret.slice(4, 20));
  });
});

describe('listVaultKeys', () => {
  test('every key, usable or not with why, sorted by name', async () => {
    const good = standIn.vault.generate({ name: 'b-good', curve: 'secp256k1' });
    standIn.vault.addRsa('a-rsa');
    standIn.vault.generate({ name: 'c-off', curve: 'p256', enabled: false });
    const rows = await listVaultKeys(connection);
    expect(rows.map((r) => [r.name, r.usable])).toEqual([
      ['a-rsa', false],
      ['b-good', true],
      ['c-off', false],
    ]);
    expect(rows[0]?.reason).toMatch(/RSA-HSM/);
    expect(rows[1]).toEqual({ name: 'b-good', version: good.version, usable: true, curve: 'secp256k1', ...(await taquitoIdentity('secp256k1', good.d as Uint8Array)) });
    expect(rows[2]?.reason).toBe('disabled');
  });

  test('a second key holding the same secret is not usable, as serve skips it', async () => {
    const first = standIn.vault.generate({ name: 'a-first', curve: 'p256' });
    standIn.vault.generate({ name: 'b-copy', curve: 'p256', privateKey: first.d as Uint8Array });
    const rows = await listVaultKeys(connection);
    const { pkh } = await taquitoIdentity('p256', first.d as Uint8Array);
    expect(rows.map((r) => [r.name, r.usable])).toEqual([
      ['a-first', true],
      ['b-copy', false],
    ]);
    expect(rows[1]?.reason).toBe(`same key as a-first/${first.version} (${pkh}), which is used`);
  });

  test('a software-protected EC key is usable but flagged; an EC-HSM key is not', async () => {
    standIn.vault.generate({ name: 'hsm', curve: 'secp256k1' });
    standIn.vault.generate({ name: 'soft', curve: 'secp256k1', kty: 'EC' });
    const rows = await listVaultKeys(connection);
    expect(rows.map((r) => [r.name, r.usable, r.warning])).toEqual([
      ['hsm', true, undefined],
      ['soft', true, expect.stringMatching(/^software-protected \(key type EC, not EC-HSM\)/)],
    ]);
  });
});
