import { randomBytes } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { libsodiumSha256, sha256 } from './sha256.js';
import { bytesToHex } from '../encoding/hex.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('sha256', () => {
  it('gives the FIPS 180-2 digests', () => {
    expect(bytesToHex(sha256(text('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(text('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it("libsodium's SHA-256 loads here and gives noble's digest for inputs of 0 to 300 bytes, 100 kB and a view into a larger array", () => {
    const native = libsodiumSha256();
    expect(native).toBeDefined();
    const whole = randomBytes(64);
    const inputs = [...Array.from({ length: 301 }, (_, n) => randomBytes(n)), randomBytes(100_000), new Uint8Array(whole.buffer, whole.byteOffset + 3, 50)];
    for (const bytes of inputs) expect(bytesToHex(native?.(bytes) ?? new Uint8Array())).toBe(bytesToHex(nobleSha256(Uint8Array.from(bytes))));
  });

  it('keeps noble where sodium-native does not load, answers wrongly or throws', () => {
    expect(libsodiumSha256({ unavailable: 'no binary for this platform' })).toBeUndefined();
    expect(libsodiumSha256({ module: { crypto_hash_sha256: () => undefined } })).toBeUndefined();
    const throwing = {
      crypto_hash_sha256: () => {
        throw new Error('not a Buffer');
      },
    };
    expect(libsodiumSha256({ module: throwing })).toBeUndefined();
  });
});
