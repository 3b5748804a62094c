import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { blake2b160, blake2b256, libsodiumBlake2b } from './blake2b.js';
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

  it("libsodium's BLAKE2b loads here and gives noble's digest of every length it is asked for, for inputs of 0 to 300 bytes and 100 kB", () => {
    const native = libsodiumBlake2b();
    expect(native).toBeDefined();
    const inputs = [...Array.from({ length: 301 }, (_, n) => randomBytes(n)), randomBytes(100_000)];
    for (const bytes of inputs) {
      for (const length of [20, 32, 64]) expect(bytesToHex(native?.(bytes, length) ?? new Uint8Array())).toBe(bytesToHex(blake2b(bytes, { dkLen: length })));
    }
  });

  it('hashes a view into a larger array as its own bytes, not the whole array', () => {
    const whole = randomBytes(64);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 5, 40);
    expect(bytesToHex(libsodiumBlake2b()?.(view, 32) ?? new Uint8Array())).toBe(bytesToHex(blake2b(Uint8Array.from(view), { dkLen: 32 })));
  });

  it('keeps noble where sodium-native does not load, answers wrongly or throws', () => {
    expect(libsodiumBlake2b({ unavailable: 'no binary for this platform' })).toBeUndefined();
    const zeros = { crypto_generichash: () => undefined };
    expect(libsodiumBlake2b({ module: zeros })).toBeUndefined();
    const throwing = {
      crypto_generichash: () => {
        throw new Error('bad output length');
      },
    };
    expect(libsodiumBlake2b({ module: throwing })).toBeUndefined();
    // right at 64 bytes, wrong at 32: a truncation is not BLAKE2b-256
    const truncating = {
      crypto_generichash: (output: Buffer, input: Buffer) => {
        Buffer.from(blake2b(input, { dkLen: 64 })).copy(output, 0, 0, output.length);
      },
    };
    expect(libsodiumBlake2b({ module: truncating })).toBeUndefined();
  });
});
