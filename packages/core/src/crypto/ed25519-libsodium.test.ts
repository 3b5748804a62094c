import * as nodeCrypto from 'node:crypto';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import type { CurveCrypto } from './curve-crypto.js';
import { verdictOf } from '../../../../test-support/crypto-implementations.js';
import { builtinCrypto, loadNativeEd25519, nobleEd25519, withLibsodium } from './ed25519.js';
import { flip, withS, withR, challenge } from '../../../../test-support/signature-crafting.js';

// libsodium in front of OpenSSL must give OpenSSL's verdict on everything: ed25519.test.ts holds
// OpenSSL (behind its key checks) to noble's strict verdicts without the cofactor, octez's.
function loaded(): { openssl: CurveCrypto; sodium: CurveCrypto } {
  const openssl = loadNativeEd25519(builtinCrypto());
  if (!('crypto' in openssl)) throw new Error(`node:crypto Ed25519 is not available: ${openssl.unavailable}`);
  // the prebuilt binary for linux-x64 is in the package: missing here is a failure, not a skip
  const sodium = withLibsodium(openssl.crypto);
  if (!('crypto' in sodium)) throw new Error(`libsodium is not available: ${sodium.unavailable}`);
  return { openssl: openssl.crypto, sodium: sodium.crypto };
}
const { openssl, sodium } = loaded();
const libsodium = createRequire(import.meta.url)('sodium-native') as {
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
};

const L = ed25519.Point.Fn.ORDER;
const P = ed25519.Point.Fp.ORDER;
const T = ed25519.Point.fromBytes(hexToBytes(ED25519_TORSION_SUBGROUP[1] ?? ''));

describe('Ed25519 on libsodium in front of OpenSSL', () => {
  it('loads libsodium', () => {
    expect(sodium.implementation).toBe('libsodium');
  });

  it('signs every seed and message to OpenSSL’s bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 0, maxLength: 80 }), (seed, message) => {
        expect(bytesToHex(sodium.sign(seed, message))).toBe(bytesToHex(openssl.sign(seed, message)));
      }),
      { numRuns: 1000 },
    );
  });

  it('reproduces every Ed25519 signature vector', () => {
    const { signatures } = loadVectors<{ signatures: { key: string; blake2b_256_hex: string; raw_signature_hex: string }[] }>('signatures');
    const keys = keyVectors().filter((k) => k.curve === 'ed25519');
    const vectors = signatures.filter((v) => keys.some((k) => k.name === v.key));
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const key = keys.find((k) => k.name === v.key);
      if (key === undefined) throw new Error(`no key ${v.key}`);
      const seed = hexToBytes(key.secret_key_hex);
      const digest = hexToBytes(v.blake2b_256_hex);
      expect(bytesToHex(sodium.sign(seed, digest))).toBe(v.raw_signature_hex);
      expect(sodium.verifier(hexToBytes(key.public_key_hex))(digest, hexToBytes(v.raw_signature_hex))).toBe(true);
    }
  });

  it('gives OpenSSL’s verdict on honest signatures spoiled anywhere, in S, R, the message or the key', () => {
    const spoil = fc.oneof(
      fc.record({ flipAt: fc.nat(63), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ sPlus: fc.constantFrom(L, 8n * L, 2n ** 253n) }),
      fc.record({ r: fc.constantFrom(...ED25519_TORSION_SUBGROUP, bytesToHex(numberToBytesLE(P, 32)), bytesToHex(numberToBytesLE(P + 1n, 32))) }),
      fc.record({ keyFlip: fc.nat(31), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ messageFlip: fc.nat(31) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), spoil, (seed, message, how) => {
        const pk = ed25519.getPublicKey(seed);
        const signature = openssl.sign(seed, message);
        expect(verdictOf(sodium, pk, message, signature)).toBe(true);
        let [key, m, sig] = [pk, message, signature];
        if ('flipAt' in how) sig = flip(signature, how.flipAt, how.mask);
        if ('sPlus' in how) sig = withS(signature, bytesToNumberLE(signature.subarray(32)) + how.sPlus);
        if ('r' in how) sig = withR(signature, hexToBytes(how.r));
        if ('keyFlip' in how) key = flip(pk, how.keyFlip, how.mask);
        if ('messageFlip' in how) m = flip(message, how.messageFlip, 1);
        expect(verdictOf(sodium, key, m, sig)).toBe(verdictOf(openssl, key, m, sig));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives OpenSSL’s verdict on random bytes for key and signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (pk, message, sig) => {
        expect(verdictOf(sodium, pk, message, sig)).toBe(verdictOf(openssl, pk, message, sig));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts, as OpenSSL and octez do, a signature whose R is of small order, which libsodium alone refuses', () => {
    // under a key A' = A + T with a small-order component T: with R = −[k]T, [S]B = R + [k]A'
    // holds exactly for S = k·a; look for a message whose challenge k makes R that very point
    const seed = new Uint8Array(32).fill(7);
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
    const key = ed25519.Point.fromBytes(pointBytes).add(T).toBytes();
    const r = T.negate().toBytes();
    let message: Uint8Array = new Uint8Array(32);
    let k = challenge(r, key, message);
    for (let i = 1; !T.multiplyUnsafe(k).equals(T); i++) {
      message = sha512(Uint8Array.of(i)).subarray(0, 32);
      k = challenge(r, key, message);
    }
    const signature = Uint8Array.of(...r, ...numberToBytesLE(ed25519.Point.Fn.create(k * scalar), 32));
    const openSslAlone = nodeCrypto.verify(
      null,
      message,
      nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key).toString('base64url') }, format: 'jwk' }),
      signature,
    );
    expect(openSslAlone).toBe(true);
    expect(libsodium.crypto_sign_verify_detached(Buffer.from(signature), Buffer.from(message), Buffer.from(key))).toBe(false);
    // and noble's strict verify without the cofactor, the reference held to octez's verdicts
    expect([verdictOf(sodium, key, message, signature), verdictOf(openssl, key, message, signature), verdictOf(nobleEd25519, key, message, signature)]).toEqual([true, true, true]);
  });

  it('reads the message and the signature where they lie inside a larger buffer', () => {
    const seed = new Uint8Array(32).fill(3);
    const message = sha512(Uint8Array.of(9)).subarray(0, 32);
    const signature = openssl.sign(seed, message);
    const backing = new Uint8Array(5 + 32 + 64 + 3).fill(0xee);
    backing.set(message, 5);
    backing.set(signature, 37);
    const [m, sig] = [backing.subarray(5, 37), backing.subarray(37, 101)];
    expect(bytesToHex(sodium.sign(seed, m))).toBe(bytesToHex(signature));
    const verify = sodium.verifier(ed25519.getPublicKey(seed));
    expect(verify(m, sig)).toBe(true);
    backing[100] = (backing[100] ?? 0) ^ 1;
    expect(verify(m, sig)).toBe(false);
  });
});
