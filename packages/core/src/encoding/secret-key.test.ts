import { bytesToNumberLE } from '@noble/curves/utils.js';
import { InMemorySigner } from '@taquito/signer';
import fc from 'fast-check';
import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import { CURVES } from '../curve.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { encodePublicKey, publicKeyHash } from './public-key.js';
import { blsScalar, decodeSecretKey, derivePublicKey, encodeSecretKey, generateSecretKey, withoutOctezKeyTag } from './secret-key.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { thrownMessage } from '../../../../test-support/errors.js';

const invalid = (run: () => unknown) => thrownMessage('INVALID_ENCODING', run);

// prefix bytes from octez base58.ml, to build inputs without the code under test
const B58 = { spsk: [17, 162, 224, 201], p2sk: [16, 81, 238, 189], BLsk: [3, 150, 192, 40], edsk64: [43, 246, 78, 7] };
const b58 = (prefix: number[], hex: string) => bs58check.encode(Uint8Array.from([...prefix, ...hexToBytes(hex)]));
const SECP256K1_N = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
const P256_N = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
const BLS_R = '73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001';
const littleEndian = (bigEndianHex: string) => bytesToHex(hexToBytes(bigEndianHex).reverse());

describe('secret keys', () => {
  it('every key of keys.json: decode to its hex, derive its public key and address, encode back', () => {
    for (const key of keyVectors()) {
      const sk = decodeSecretKey(key.secret_key);
      expect(sk.curve).toBe(key.curve);
      expect(bytesToHex(sk.bytes)).toBe(key.secret_key_hex);
      const pk = derivePublicKey(sk);
      expect(bytesToHex(pk)).toBe(key.public_key_hex);
      expect(encodePublicKey(sk.curve, pk)).toBe(key.public_key);
      expect(publicKeyHash(sk.curve, pk)).toBe(key.public_key_hash);
      expect(encodeSecretKey(sk)).toBe(key.secret_key);
    }
  });

  it("drops octez-client's unencrypted:/encrypted: tag and surrounding spaces, nothing else", () => {
    expect(withoutOctezKeyTag(' unencrypted:edsk3ciifgVCcoZkWKcbdeXsA4gCUw1ubudhUXzGVNC7i1khqPW8M9\n')).toBe('edsk3ciifgVCcoZkWKcbdeXsA4gCUw1ubudhUXzGVNC7i1khqPW8M9');
    expect(withoutOctezKeyTag('encrypted:edesk1abc')).toBe('edesk1abc');
    expect(withoutOctezKeyTag('edsk3x')).toBe('edsk3x');
    expect(withoutOctezKeyTag('xencrypted:edsk3x')).toBe('xencrypted:edsk3x');
  });

  it('reads the 64-byte edsk (seed ‖ public key) that Taquito writes, and encodes the 32-byte seed form', async () => {
    for (const key of keyVectors().filter((k) => k.curve === 'ed25519')) {
      const long = await (await InMemorySigner.fromSecretKey(key.secret_key)).secretKey();
      expect(long).toHaveLength(98);
      const sk = decodeSecretKey(long);
      expect(bytesToHex(sk.bytes)).toBe(key.secret_key_hex);
      expect(encodeSecretKey(sk)).toBe(key.secret_key);
    }
  });

  it('refuses a 64-byte edsk whose public half is not its seed’s', () => {
    const [a, b] = keyVectors().filter((k) => k.curve === 'ed25519');
    if (a === undefined || b === undefined) throw new Error('need two ed25519 keys');
    expect(invalid(() => decodeSecretKey(b58(B58.edsk64, a.secret_key_hex + b.public_key_hex)))).toMatch(/does not match its seed/);
  });

  it.each([
    ['spsk zero', B58.spsk, '00'.repeat(32)],
    ['spsk equal to n', B58.spsk, SECP256K1_N],
    ['p2sk equal to n', B58.p2sk, P256_N],
    ['p2sk all ones', B58.p2sk, 'ff'.repeat(32)],
    ['BLsk equal to r (little-endian)', B58.BLsk, littleEndian(BLS_R)],
    ['BLsk zero', B58.BLsk, '00'.repeat(32)],
  ])('refuses an out-of-range scalar: %s', (_what, prefix, hex) => {
    expect(invalid(() => decodeSecretKey(b58(prefix, hex)))).toMatch(/out of range/);
  });

  it('accepts the largest valid BLS scalar r − 1, read little-endian', () => {
    const rMinus1 = BLS_R.slice(0, -1) + '0';
    expect(bytesToHex(decodeSecretKey(b58(B58.BLsk, littleEndian(rMinus1))).bytes)).toBe(littleEndian(rMinus1));
  });

  it('sends encrypted keys to their passphrase and names other prefixes', () => {
    const encrypted = loadVectors<{ keys: { encrypted_secret_key: string }[] }>('encrypted-keys').keys[0];
    if (encrypted === undefined) throw new Error('no encrypted key vectors');
    expect(invalid(() => decodeSecretKey(encrypted.encrypted_secret_key))).toMatch(/edesk is an encrypted secret key/);
    const key = keyVectors()[0];
    if (key === undefined) throw new Error('no key vectors');
    expect(invalid(() => decodeSecretKey(key.public_key))).toBe('expected an edsk/spsk/p2sk/BLsk secret key, got prefix edpk');
  });

  it('refuses to encode or use a key of the wrong size', () => {
    expect(invalid(() => encodeSecretKey({ curve: 'p256', bytes: new Uint8Array(31).fill(1) }))).toBe('p2sk payload must be 32 bytes, got 31');
    expect(invalid(() => derivePublicKey({ curve: 'secp256k1', bytes: new Uint8Array(32) }))).toMatch(/out of range/);
  });

  it.each(CURVES)('generates fresh %s keys that Taquito reads to the same public key', async (curve) => {
    const sk = generateSecretKey(curve);
    expect(sk.curve).toBe(curve);
    expect(bytesToHex(sk.bytes)).not.toBe(bytesToHex(generateSecretKey(curve).bytes));
    const taquito = await InMemorySigner.fromSecretKey(encodeSecretKey(sk));
    expect(await taquito.publicKey()).toBe(encodePublicKey(curve, derivePublicKey(sk)));
    expect(await taquito.publicKeyHash()).toBe(publicKeyHash(curve, derivePublicKey(sk)));
  });
});

describe('blsScalar', () => {
  it('reads octez little-endian bytes as noble does', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      expect(blsScalar(bytes)).toBe(bytesToNumberLE(bytes));
    }), { numRuns: 2000 });
  });
});
