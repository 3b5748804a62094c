import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySigner } from '@taquito/signer';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CURVES, blake2b256, encodeSignature, hexToBytes, isTezsignerError } from '@tezsigner/core';
import type { ErrorCode } from '@tezsigner/core';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { LocalKeyVault } from './key-vault.js';

interface EncryptedKeyVector {
  curve: string;
  encrypted_secret_key: string;
  passphrase: string;
  secret_key: string;
  public_key_hash: string;
}
const encryptedVectors = () => loadVectors<{ keys: EncryptedKeyVector[] }>('encrypted-keys').keys;
interface RequestVector {
  name: string;
  bytes_hex: string;
  signer?: string;
}
const requestVectors = () => loadVectors<{ requests: RequestVector[] }>('requests').requests;

const PASS = 'vault passphrase for tests';
let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-vault-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const keyFiles = async () => (await readdir(join(home, 'keys'))).filter((name) => name.endsWith('.json'));
const readKeyJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  const err = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!isTezsignerError(err, code)) throw new Error(`expected ${code}, got ${String(err)}`);
  return err.message;
}

describe('LocalKeyVault', () => {
  it('imports every plain key vector under its address, in a private file', async () => {
    const vault = await LocalKeyVault.open({ home });
    for (const vector of keyVectors()) {
      const info = await vault.importKey(vector.secret_key, { plain: true });
      expect(info).toMatchObject({ pkh: vector.public_key_hash, publicKey: vector.public_key, curve: vector.curve, encrypted: false });
      expect((await stat(info.file)).mode & 0o777).toBe(0o600);
      expect(await readKeyJson(info.file)).toMatchObject({ pkh: vector.public_key_hash, secretKey: vector.secret_key });
    }
    expect((await stat(join(home, 'keys'))).mode & 0o777).toBe(0o700);
    const provider = await vault.keyProvider();
    const byPkh = (a: { pkh: string }, b: { pkh: string }) => a.pkh.localeCompare(b.pkh);
    expect([...(await provider.listKeys())].sort(byPkh)).toEqual(
      keyVectors()
        .map((v) => ({ pkh: v.public_key_hash, curve: v.curve, publicKey: v.public_key, label: v.public_key_hash }))
        .sort(byPkh),
    );
  });

  it('imports every encrypted key vector, re-encrypted at rest with the vault passphrase', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    for (const vector of encryptedVectors()) {
      const info = await vault.importKey(vector.encrypted_secret_key, { passphrase: vector.passphrase });
      expect(info.pkh).toBe(vector.public_key_hash);
      expect(info.encrypted).toBe(true);
      const text = await readFile(info.file, 'utf8');
      const plainHex = keyVectors().find((k) => k.secret_key === vector.secret_key)?.secret_key_hex;
      expect(plainHex).toBeDefined();
      for (const secret of [vector.secret_key, vector.encrypted_secret_key, plainHex ?? '']) expect(text).not.toContain(secret);
      expect((JSON.parse(text) as { secretKey: string }).secretKey.slice(0, 2)).toBe(vector.encrypted_secret_key.slice(0, 2));
    }
    // Taquito, not our code, opens a stored key with the vault passphrase (one: PBKDF2 is slow).
    const stored = (await readKeyJson((await vault.list())[0]!.file)).secretKey!;
    const signer = await InMemorySigner.fromSecretKey(stored, PASS);
    expect(await signer.publicKeyHash()).toBe((await vault.list())[0]!.pkh);
  });

  it("imports the 64-byte edsk form and octez's secret_keys prefixes", async () => {
    const vector = keyVectors()[0]!;
    const long = await (await InMemorySigner.fromSecretKey(vector.secret_key)).secretKey();
    expect(long).toHaveLength(98);
    const vault = await LocalKeyVault.open({ home });
    expect((await vault.importKey(long, { plain: true })).pkh).toBe(vector.public_key_hash);
    const other = keyVectors()[2]!;
    expect((await vault.importKey(`unencrypted:${other.secret_key}\n`, { plain: true })).pkh).toBe(other.public_key_hash);
  });

  it('generates keys of all four curves, encrypted at rest, that sign what Taquito verifies', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const generated = [];
    for (const curve of CURVES) generated.push(await vault.generate(curve));
    expect(generated.map((k) => k.pkh.slice(0, 3))).toEqual(['tz1', 'tz2', 'tz3', 'tz4']);
    for (const info of generated) {
      const file = await readKeyJson(info.file);
      expect(file.secretKey).toMatch(/^(edesk|spesk|p2esk|BLesk)/);
      expect((await stat(info.file)).mode & 0o777).toBe(0o600);
    }

    const reopened = await LocalKeyVault.open({ home, passphrase: PASS });
    const provider = await reopened.keyProvider();
    const attestation = requestVectors().find((r) => r.name === 'attestation')!;
    const tz4Attestation = requestVectors().find((r) => r.signer === 'tz4' && r.name.startsWith('attestation'))!;
    for (const info of generated) {
      const request = info.curve === 'bls12_381' ? tz4Attestation : attestation;
      const bytes = hexToBytes(request.bytes_hex);
      const raw = await provider.sign(info.pkh, { bytes, digest: blake2b256(bytes) });
      const signature = encodeSignature(info.curve, raw);
      expect(verifySignature(request.bytes_hex, info.publicKey, signature)).toBe(true);
      // the same signature does not verify other bytes: the check above can fail
      expect(verifySignature(`${request.bytes_hex}00`, info.publicKey, signature)).toBe(false);
    }
  });

  it('proves possession of a tz4 key in a form Taquito verifies', async () => {
    const vector = keyVectors().find((k) => k.curve === 'bls12_381')!;
    const vault = await LocalKeyVault.open({ home });
    await vault.importKey(vector.secret_key, { plain: true });
    const provider = await vault.keyProvider();
    const proof = encodeSignature('bls12_381', await provider.proveProofOfPossession!(vector.public_key_hash));
    expect(verifySignature(vector.public_key_hex, vector.public_key, proof, undefined, true)).toBe(true);
    const ed = keyVectors().find((k) => k.curve === 'ed25519')!;
    await vault.importKey(ed.secret_key, { plain: true });
    const provider2 = await vault.keyProvider();
    await failure(provider2.proveProofOfPossession!(ed.public_key_hash), 'NOT_SUPPORTED');
    await failure(provider2.sign('tz1burnburnburnburnburnburnburjAYjjX', { bytes: new Uint8Array(1), digest: new Uint8Array(32) }), 'KEY_NOT_FOUND');
  });

  it('names the key file when the passphrase is wrong, and needs one for encrypted keys', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const info = await vault.generate('ed25519', { name: 'baker' });
    expect(info.file).toBe(join(home, 'keys', 'baker.json'));

    const wrong = await LocalKeyVault.open({ home, passphrase: 'not it' });
    expect(await failure(wrong.keyProvider(), 'WRONG_PASSPHRASE')).toContain(info.file);
    // adding under another passphrase would leave a vault no single passphrase opens
    expect(await failure(wrong.generate('p256'), 'WRONG_PASSPHRASE')).toContain(info.file);
    expect(await keyFiles()).toEqual(['baker.json']);

    const none = await LocalKeyVault.open({ home });
    expect(await failure(none.keyProvider(), 'CONFIG_INVALID')).toMatch(/TEZSIGNER_PASSPHRASE/);
    expect(await failure(none.generate('p256'), 'CONFIG_INVALID')).toMatch(/passphrase/);
    expect(await none.list()).toHaveLength(1);
  });

  it('refuses an encrypted key to import with a wrong passphrase, storing nothing', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const vector = encryptedVectors()[0]!;
    await failure(vault.importKey(vector.encrypted_secret_key, { passphrase: 'wrong' }), 'WRONG_PASSPHRASE');
    await failure(vault.importKey('edsk3notakey', { plain: true }), 'INVALID_ENCODING');
    // the vault's passphrase is never tried in place of the key's own
    const sameAsKey = await LocalKeyVault.open({ home, passphrase: vector.passphrase });
    expect(await failure(sameAsKey.importKey(vector.encrypted_secret_key), 'CONFIG_INVALID')).toContain('give its own passphrase');
    expect(await keyFiles()).toEqual([]);
  });

  it('refuses duplicate keys and names, and bad names, with CONFIG_INVALID', async () => {
    const [a, b] = keyVectors();
    const vault = await LocalKeyVault.open({ home });
    await vault.importKey(a!.secret_key, { plain: true, name: 'first' });
    expect(await failure(vault.importKey(a!.secret_key, { plain: true, name: 'again' }), 'CONFIG_INVALID')).toContain(a!.public_key_hash);
    await failure(vault.importKey(b!.secret_key, { plain: true, name: 'first' }), 'CONFIG_INVALID');
    for (const name of ['../escape', '.hidden', 'a/b', 'x.json', '']) {
      await failure(vault.importKey(b!.secret_key, { plain: true, name }), 'CONFIG_INVALID');
    }
    expect(await keyFiles()).toEqual(['first.json']);
  });

  it('names keys after their address by default, keeping names unique', async () => {
    const [a, b] = keyVectors();
    const vault = await LocalKeyVault.open({ home });
    await vault.importKey(a!.secret_key, { plain: true, name: b!.public_key_hash });
    const info = await vault.importKey(b!.secret_key, { plain: true });
    expect(info.name).toBe(`${b!.public_key_hash}-2`);
    const c = keyVectors()[2]!;
    expect((await vault.importKey(c.secret_key, { plain: true })).name).toBe(c.public_key_hash);
  });

  it('lists public facts only, without a passphrase, across restarts', async () => {
    const vector = encryptedVectors()[1]!;
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const imported = await vault.importKey(vector.encrypted_secret_key, { passphrase: vector.passphrase, name: 'tz2key' });
    const listed = await (await LocalKeyVault.open({ home })).list();
    expect(listed).toEqual([imported]);
    expect(Object.keys(listed[0]!).sort()).toEqual(['created', 'curve', 'encrypted', 'file', 'label', 'name', 'pkh', 'publicKey']);
    const shown = JSON.stringify(listed);
    const stored = (await readKeyJson(imported.file)).secretKey!;
    for (const secret of [vector.secret_key, vector.encrypted_secret_key, stored]) expect(shown).not.toContain(secret);
  });

  it('refuses key files edited to claim another address or holding another key', async () => {
    const [a, b] = keyVectors();
    const vault = await LocalKeyVault.open({ home });
    const infoA = await vault.importKey(a!.secret_key, { plain: true, name: 'a' });
    const fileA = await readKeyJson(infoA.file);

    await writeFile(infoA.file, JSON.stringify({ ...fileA, pkh: b!.public_key_hash }));
    expect(await failure(vault.list(), 'CONFIG_INVALID')).toContain(infoA.file);

    await writeFile(infoA.file, JSON.stringify({ ...fileA, secretKey: b!.secret_key }));
    expect(await vault.list()).toHaveLength(1);
    expect(await failure(vault.keyProvider(), 'CONFIG_INVALID')).toContain('does not belong');

    await writeFile(infoA.file, `{"name": "a", "secretKey": "${a!.secret_key}"`);
    const message = await failure(vault.list(), 'CONFIG_INVALID');
    expect(message).toContain(infoA.file);
    expect(message).not.toContain(a!.secret_key);
  });

  it('opening in the background: a wrong passphrase still fails at once; a bad key fails alone, with its file named', async () => {
    const [a, b] = keyVectors();
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const infoA = await vault.importKey(a!.secret_key, { name: 'a' });
    const infoB = await vault.importKey(b!.secret_key, { name: 'b' });
    const wrong = await LocalKeyVault.open({ home, passphrase: 'not it' });
    expect(await failure(wrong.keyProvider({ inBackground: true }), 'WRONG_PASSPHRASE')).toContain(infoA.file);

    // b's file now holds a's secret key: found when b is opened, in the background
    await writeFile(infoB.file, JSON.stringify({ ...(await readKeyJson(infoB.file)), secretKey: (await readKeyJson(infoA.file)).secretKey }));
    const failures: string[] = [];
    const opened = new Promise<number>((resolve) => {
      void vault.keyProvider({ inBackground: true, onFailure: (pkh) => failures.push(pkh), onAllOpen: resolve });
    });
    const provider = await vault.keyProvider({ inBackground: true });
    const bytes = hexToBytes(requestVectors().find((r) => r.name === 'attestation')!.bytes_hex);
    expect(await failure(provider.sign(infoB.pkh, { bytes, digest: blake2b256(bytes) }), 'CONFIG_INVALID')).toContain(infoB.file);
    expect((await provider.sign(infoA.pkh, { bytes, digest: blake2b256(bytes) })).length).toBe(64);
    await vi.waitFor(() => expect(failures).toEqual([infoB.pkh]));
    // not every key opened: no "all open"
    expect(await Promise.race([opened, new Promise((resolve) => setTimeout(() => resolve('not all'), 200))])).toBe('not all');
  });

  it('restricts key files and the folder that others could read, and says so', async () => {
    const vault = await LocalKeyVault.open({ home });
    const info = await vault.importKey(keyVectors()[0]!.secret_key, { plain: true });
    await chmod(info.file, 0o644);
    await chmod(join(home, 'keys'), 0o755);
    const reopened = await LocalKeyVault.open({ home });
    expect((await stat(info.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'keys'))).mode & 0o777).toBe(0o700);
    expect(reopened.warnings).toHaveLength(2);
    expect(reopened.warnings.join('\n')).toContain(info.file);
  });
});

