import { describe, expect, it } from 'vitest';
import { blake2b160, blake2b256 } from './blake2b.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';

interface SignatureVector {
  bytes_hex: string;
  blake2b_256_hex: string;
}

describe('blake2b', () => {
  it('BLAKE2b-256 of every request in signatures.json is the listed digest', () => {
    const { signatures } = loadVectors<{ signatures: SignatureVector[] }>('signatures');
    expect(signatures.length).toBeGreaterThan(0);
    for (const v of signatures) expect(bytesToHex(blake2b256(hexToBytes(v.bytes_hex)))).toBe(v.blake2b_256_hex);
  });

  it('BLAKE2b-160 of every public key in keys.json is its public key hash', () => {
    for (const key of keyVectors()) {
      expect(bytesToHex(blake2b160(hexToBytes(key.public_key_hex)))).toBe(key.public_key_hash_hex);
    }
  });

  it('matches the RFC 7693 style empty-input digests', () => {
    // published BLAKE2b-256 / BLAKE2b-160 digests of the empty string
    expect(bytesToHex(blake2b256(new Uint8Array()))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    expect(bytesToHex(blake2b160(new Uint8Array()))).toBe('3345524abf6bbe1809449224b5972c41790b6cf2');
  });
});
