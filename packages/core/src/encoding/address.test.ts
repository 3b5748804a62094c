import { describe, expect, it } from 'vitest';
import { addressToBytes, decodeAddress, encodeAddress, isAddress } from './address.js';
import { isTezsignerError } from '../errors.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';

const TAG = { ed25519: '00', secp256k1: '01', p256: '02', bls12_381: '03' } as const;

describe('addresses', () => {
  it('decodes and encodes every address of keys.json', () => {
    for (const key of keyVectors()) {
      const { curve, hash } = decodeAddress(key.public_key_hash);
      expect(curve).toBe(key.curve);
      expect(bytesToHex(hash)).toBe(key.public_key_hash_hex);
      expect(encodeAddress(key.curve, hexToBytes(key.public_key_hash_hex))).toBe(key.public_key_hash);
      expect(bytesToHex(addressToBytes(key.public_key_hash))).toBe(TAG[key.curve] + key.public_key_hash_hex);
      expect(isAddress(key.public_key_hash)).toBe(true);
    }
  });

  it('gives the 21-byte pkh that authentication.json signs (0x04 0x01 pkh data)', () => {
    const v = loadVectors<{ signing_key_hash: string; signed_bytes_hex: string }>('authentication');
    expect(v.signed_bytes_hex.slice(4, 46)).toBe(bytesToHex(addressToBytes(v.signing_key_hash)));
  });

  it('is not fooled by other base58 values or garbage', () => {
    const key = keyVectors()[0];
    if (key === undefined) throw new Error('no key vectors');
    for (const text of [key.public_key, key.secret_key, 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi', 'tz1', '', 'not an address']) {
      expect(isAddress(text)).toBe(false);
    }
  });

  it('refuses a public key where an address is expected, naming what it got', () => {
    const key = keyVectors()[0];
    if (key === undefined) throw new Error('no key vectors');
    try {
      decodeAddress(key.public_key);
      expect.unreachable();
    } catch (err) {
      expect(isTezsignerError(err, 'INVALID_ENCODING')).toBe(true);
      expect((err as Error).message).toBe('expected a tz1/tz2/tz3/tz4 address, got prefix edpk');
    }
  });

  it('refuses a hash of the wrong length', () => {
    expect(() => encodeAddress('p256', new Uint8Array(21))).toThrow('tz3 payload must be 20 bytes, got 21');
  });
});
