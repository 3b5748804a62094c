import { bls12_381 } from '@noble/curves/bls12-381.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import type { Curve } from '../curve.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { decodePublicKey, encodePublicKey, publicKeyHash } from './public-key.js';
import { azureKeyVectors, keyVectors } from '../../../../test-support/vectors.js';
import { thrownMessage } from '../../../../test-support/errors.js';

const invalid = (run: () => unknown) => thrownMessage('INVALID_ENCODING', run);

describe('public keys', () => {
  it('decode, encode and hash every key of keys.json', () => {
    for (const key of keyVectors()) {
      const { curve, bytes } = decodePublicKey(key.public_key);
      expect(curve).toBe(key.curve);
      expect(bytesToHex(bytes)).toBe(key.public_key_hex);
      expect(encodePublicKey(key.curve, hexToBytes(key.public_key_hex))).toBe(key.public_key);
      expect(publicKeyHash(key.curve, hexToBytes(key.public_key_hex))).toBe(key.public_key_hash);
    }
  });

  it('encode and hash the compressed keys of real Azure Key Vault HSM keys', () => {
    const keys = azureKeyVectors();
    for (const key of keys) {
      const curve: Curve = key.crv_as_returned === 'P-256' ? 'p256' : 'secp256k1';
      expect(encodePublicKey(curve, hexToBytes(key.compressed_hex))).toBe(key.public_key);
      expect(publicKeyHash(curve, hexToBytes(key.compressed_hex))).toBe(key.public_key_hash);
    }
  });

  it('refuses an address or a secret key where a public key is expected', () => {
    const key = keyVectors()[2];
    if (key === undefined) throw new Error('no key vectors');
    expect(invalid(() => decodePublicKey(key.public_key_hash))).toBe('expected an edpk/sppk/p2pk/BLpk public key, got prefix tz2');
    expect(invalid(() => decodePublicKey(key.secret_key))).toBe('expected an edpk/sppk/p2pk/BLpk public key, got prefix spsk');
  });

  it.each<[string, Curve, string, RegExp]>([
    ['secp256k1 x ≥ p', 'secp256k1', '02' + 'ff'.repeat(32), /not a valid secp256k1 point/],
    ['secp256k1 bad header byte', 'secp256k1', '05' + '11'.repeat(32), /not a valid secp256k1 point/],
    ['P-256 x ≥ p', 'p256', '03' + 'ff'.repeat(32), /not a valid p256 point/],
    ['Ed25519 non-canonical y ≥ p', 'ed25519', 'ff'.repeat(31) + '7f', /not a valid ed25519 point/],
    // ethereum/bls12-381-tests deserialization_G1: deserialization_fails_not_in_curve / _not_in_G1
    ['BLS not on the curve', 'bls12_381', '8123456789abcdef'.repeat(6).slice(0, -1) + '0', /not a valid bls12_381 point/],
    ['BLS on the curve, outside G1', 'bls12_381', '8123456789abcdef'.repeat(6), /not a valid bls12_381 point/],
    ['BLS uncompressed flag', 'bls12_381', '00'.repeat(48), /not a valid bls12_381 point/],
    ['BLS identity', 'bls12_381', 'c0' + '00'.repeat(47), /identity/],
    ['short sppk', 'secp256k1', '02' + '11'.repeat(31), /sppk payload must be 33 bytes, got 32/],
  ])('refuses an invalid point: %s', (_what, curve, hex, message) => {
    const bytes = hexToBytes(hex);
    expect(invalid(() => encodePublicKey(curve, bytes))).toMatch(message);
    expect(invalid(() => publicKeyHash(curve, bytes))).toMatch(message);
  });

  it('refuses a BLS key whose x is written as x + p, which noble alone reads as the same point (one key, two tz4 addresses)', () => {
    const P = bls12_381.fields.Fp.ORDER;
    // a key whose x + p still fits under the three flag bits (about one in four)
    let scalar = 1n;
    while (bls12_381.G1.Point.BASE.multiply(scalar).toAffine().x + P >= 2n ** 381n) scalar += 1n;
    const canonical = bls12_381.G1.Point.BASE.multiply(scalar).toBytes(true);
    const x = bls12_381.G1.Point.BASE.multiply(scalar).toAffine().x;
    const lifted = hexToBytes((x + P).toString(16).padStart(96, '0'));
    lifted[0] = (lifted[0] ?? 0) | ((canonical[0] ?? 0) & 0xe0);
    expect(bls12_381.G1.Point.fromBytes(lifted).equals(bls12_381.G1.Point.fromBytes(canonical))).toBe(true);
    expect(publicKeyHash('bls12_381', canonical)).toMatch(/^tz4/);
    expect(invalid(() => publicKeyHash('bls12_381', lifted))).toMatch(/not a valid bls12_381 point/);
  });

  it('remembers a key found valid by its bytes, never by its array: the same array, changed to an invalid key, is refused', () => {
    const key = keyVectors().find((k) => k.curve === 'ed25519');
    if (key === undefined) throw new Error('no ed25519 key vector');
    const bytes = hexToBytes(key.public_key_hex);
    expect(publicKeyHash('ed25519', bytes)).toBe(key.public_key_hash);
    bytes.set(hexToBytes('ff'.repeat(31) + '7f'));
    expect(invalid(() => publicKeyHash('ed25519', bytes))).toMatch(/not a valid ed25519 point/);
    // and a key refused is refused again: only valid verdicts are kept
    expect(invalid(() => encodePublicKey('ed25519', bytes))).toMatch(/not a valid ed25519 point/);
  });

  it('remembers a key found valid for its curve only: the same bytes are checked afresh as another curve', () => {
    // a secp256k1 key whose x is not on P-256 (about one in two), by noble's own decoding
    const notOnP256 = (bytes: Uint8Array) => {
      try {
        p256.Point.fromBytes(bytes);
        return false;
      } catch {
        return true;
      }
    };
    let scalar = 1n;
    while (!notOnP256(secp256k1.Point.BASE.multiply(scalar).toBytes(true))) scalar += 1n;
    const bytes = secp256k1.Point.BASE.multiply(scalar).toBytes(true);
    expect(encodePublicKey('secp256k1', bytes)).toMatch(/^sppk/);
    expect(invalid(() => encodePublicKey('p256', bytes))).toMatch(/not a valid p256 point/);
  });

  it('refuses an invalid point hidden in valid base58check', () => {
    const offCurve = bs58check.encode(Uint8Array.from([3, 254, 226, 86, 0x02, ...new Uint8Array(32).fill(0xff)]));
    expect(invalid(() => decodePublicKey(offCurve))).toMatch(/sppk public key is not a valid secp256k1 point/);
  });
});
