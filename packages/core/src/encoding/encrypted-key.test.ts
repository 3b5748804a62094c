import { InMemorySigner } from '@taquito/signer';
import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import {
  decryptSecretKey,
  decryptSecretKeyAsync,
  encryptSecretKey,
  encryptSecretKeyAsync,
  isEncryptedSecretKey,
  openWithPassphraseAsync,
  sealWithPassphraseAsync,
} from './encrypted-key.js';
import { isTezsignerError } from '../errors.js';
import { bytesToHex } from './hex.js';
import { decodeSecretKey } from './secret-key.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';

interface EncryptedKeyVector {
  curve: string;
  encrypted_secret_key: string;
  passphrase: string;
  salt_hex: string;
  secret_key: string;
  public_key_hash: string;
}

const vectors = loadVectors<{ keys: EncryptedKeyVector[] }>('encrypted-keys').keys;
const hexOf = (name: string) => keyVectors().find((k) => k.secret_key === name)?.secret_key_hex;

async function code(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
  } catch (err) {
    return isTezsignerError(err) ? err.code : `raw ${String(err)}`;
  }
  return undefined;
}
const PASSPHRASE = 'tezsigner test passphrase ✓';

describe('encrypted secret keys', () => {
  it('covers every curve', () => {
    expect(vectors.map((v) => v.curve).sort()).toEqual(['bls12_381', 'ed25519', 'p256', 'secp256k1']);
  });

  it.each(vectors)('decrypts the $curve vector to its listed key, sync and async', async (v) => {
    expect(isEncryptedSecretKey(v.encrypted_secret_key)).toBe(true);
    for (const sk of [decryptSecretKey(v.encrypted_secret_key, v.passphrase), await decryptSecretKeyAsync(v.encrypted_secret_key, v.passphrase)]) {
      expect(sk.curve).toBe(v.curve);
      expect(bytesToHex(sk.bytes)).toBe(hexOf(v.secret_key));
    }
    // the vector's salt is the first 8 payload bytes (after the 5-byte prefix)
    expect(bytesToHex(bs58check.decode(v.encrypted_secret_key).subarray(5, 13))).toBe(v.salt_hex);
  });

  it.each(vectors)('refuses the $curve vector with a wrong passphrase: WRONG_PASSPHRASE', async (v) => {
    expect(await code(() => decryptSecretKeyAsync(v.encrypted_secret_key, v.passphrase + ' '))).toBe('WRONG_PASSPHRASE');
    expect(await code(() => decryptSecretKeyAsync(v.encrypted_secret_key, ''))).toBe('WRONG_PASSPHRASE');
  });

  it('refuses a wrong passphrase in the sync version too', async () => {
    const v = vectors[1];
    if (v === undefined) throw new Error('no vectors');
    expect(await code(() => decryptSecretKey(v.encrypted_secret_key, v.passphrase.toUpperCase()))).toBe('WRONG_PASSPHRASE');
  });

  it.each(vectors)('encrypts a $curve key that Taquito decrypts to the same address', async (v) => {
    const encrypted = await encryptSecretKeyAsync(decodeSecretKey(v.secret_key), PASSPHRASE);
    expect(encrypted).toHaveLength(88);
    expect(encrypted.startsWith(v.encrypted_secret_key.slice(0, 5))).toBe(true);
    const taquito = await InMemorySigner.fromSecretKey(encrypted, PASSPHRASE);
    expect(await taquito.publicKeyHash()).toBe(v.public_key_hash);
    expect(bytesToHex((await decryptSecretKeyAsync(encrypted, PASSPHRASE)).bytes)).toBe(hexOf(v.secret_key));
  });

  it('encrypts in the sync version what Taquito and the async version decrypt', async () => {
    const v = vectors[3];
    if (v === undefined) throw new Error('no vectors');
    const encrypted = encryptSecretKey(decodeSecretKey(v.secret_key), PASSPHRASE);
    expect(await (await InMemorySigner.fromSecretKey(encrypted, PASSPHRASE)).publicKeyHash()).toBe(v.public_key_hash);
    expect(bytesToHex((await decryptSecretKeyAsync(encrypted, PASSPHRASE)).bytes)).toBe(hexOf(v.secret_key));
  });

  it('uses a fresh salt every time', async () => {
    const sk = decodeSecretKey(vectors[0]?.secret_key ?? '');
    const a = bs58check.decode(await encryptSecretKeyAsync(sk, 'same'));
    const b = bs58check.decode(await encryptSecretKeyAsync(sk, 'same'));
    expect(bytesToHex(a.subarray(5, 13))).not.toBe(bytesToHex(b.subarray(5, 13)));
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });

  it('refuses plain keys and damaged text as INVALID_ENCODING, not as a wrong passphrase', async () => {
    const v = vectors[0];
    if (v === undefined) throw new Error('no vectors');
    expect(isEncryptedSecretKey(v.secret_key)).toBe(false);
    expect(await code(() => decryptSecretKey(v.secret_key, v.passphrase))).toBe('INVALID_ENCODING');
    expect(await code(() => decryptSecretKeyAsync(v.secret_key, v.passphrase))).toBe('INVALID_ENCODING');
    const damaged = v.encrypted_secret_key.slice(0, -1) + (v.encrypted_secret_key.endsWith('a') ? 'b' : 'a');
    expect(await code(() => decryptSecretKey(damaged, v.passphrase))).toBe('INVALID_ENCODING');
    const short = bs58check.encode(Uint8Array.from([7, 90, 60, 179, 41, ...new Uint8Array(40)]));
    expect(() => decryptSecretKey(short, 'x')).toThrow('edesk payload must be 56 bytes, got 40');
  });
});

describe('bytes sealed with a passphrase', () => {
  const edesk = vectors.find((v) => v.curve === 'ed25519');
  if (edesk === undefined) throw new Error('no ed25519 vector');
  const seed = decodeSecretKey(edesk.secret_key).bytes.subarray(0, 32);
  const EDESK_PREFIX = [7, 90, 60, 179, 41];

  it("seals as an edesk key's payload is sealed: Taquito decrypts a sealed seed to the vector's address", async () => {
    const sealed = await sealWithPassphraseAsync(seed, PASSPHRASE);
    expect(sealed).toHaveLength(8 + 16 + 32);
    const asKey = bs58check.encode(Uint8Array.from([...EDESK_PREFIX, ...sealed]));
    expect(await (await InMemorySigner.fromSecretKey(asKey, PASSPHRASE)).publicKeyHash()).toBe(edesk.public_key_hash);
  });

  it("opens an octez edesk vector's payload to its seed", async () => {
    const payload = bs58check.decode(edesk.encrypted_secret_key).subarray(EDESK_PREFIX.length);
    expect(bytesToHex(await openWithPassphraseAsync(payload, edesk.passphrase))).toBe(bytesToHex(seed));
  });

  it('uses a fresh salt every time and opens what it sealed', async () => {
    const data = new TextEncoder().encode('several keys, any length');
    const [a, b] = [await sealWithPassphraseAsync(data, 'same'), await sealWithPassphraseAsync(data, 'same')];
    expect(bytesToHex(a.subarray(0, 8))).not.toBe(bytesToHex(b.subarray(0, 8)));
    expect(bytesToHex(await openWithPassphraseAsync(b, 'same'))).toBe(bytesToHex(data));
  });

  it('refuses another passphrase, a damaged box and a short one: WRONG_PASSPHRASE', async () => {
    const sealed = await sealWithPassphraseAsync(seed, PASSPHRASE);
    expect(await code(() => openWithPassphraseAsync(sealed, `${PASSPHRASE} `))).toBe('WRONG_PASSPHRASE');
    const damaged = Uint8Array.from(sealed);
    damaged[20] = (damaged[20] ?? 0) ^ 1;
    expect(await code(() => openWithPassphraseAsync(damaged, PASSPHRASE))).toBe('WRONG_PASSPHRASE');
    expect(await code(() => openWithPassphraseAsync(sealed.subarray(0, 5), PASSPHRASE))).toBe('WRONG_PASSPHRASE');
  });
});
