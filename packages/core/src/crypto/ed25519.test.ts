import * as nodeCrypto from 'node:crypto';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { thrownMessage } from '../../../../test-support/errors.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import type { CurveCrypto } from './curve-crypto.js';
import { verdictOf } from '../../../../test-support/crypto-implementations.js';
import { builtinCrypto, loadNativeEd25519, nobleEd25519 } from './ed25519.js';
import { flip, withS, withR, challenge } from '../../../../test-support/signature-crafting.js';

// The reference every verdict is compared with: noble, strict (RFC 8032, no ZIP 215 leniency).
const noble = (pk: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  ed25519.verify(signature, message, pk, { zip215: false });

// OpenSSL alone, with no key checks in front: to show what the checks are for.
const openssl = (pk: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  nodeCrypto.verify(
    null,
    message,
    nodeCrypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pk).toString('base64url') }, format: 'jwk' }),
    signature,
  );

function loaded(): CurveCrypto {
  const native = loadNativeEd25519(builtinCrypto());
  if (!('crypto' in native)) throw new Error(`node:crypto Ed25519 is not available in this runtime: ${native.unavailable}`);
  return native.crypto;
}
const native = loaded();

const nativeVerdict = (pk: Uint8Array, message: Uint8Array, signature: Uint8Array) => verdictOf(native, pk, message, signature);
/** The fallback's verdict: noble's verify, then the equation without the cofactor. */
const fallbackVerdict = (pk: Uint8Array, message: Uint8Array, signature: Uint8Array) => verdictOf(nobleEd25519, pk, message, signature);

const L = ed25519.Point.Fn.ORDER;
const P = ed25519.Point.Fp.ORDER;
const sOf = (signature: Uint8Array) => bytesToNumberLE(signature.subarray(32));
/** y + p: the non-canonical encoding of the point whose y is y (for y < 19). */
const nonCanonical = (y: bigint) => numberToBytesLE(y + P, 32);

interface SignatureVector {
  key: string;
  request: string;
  blake2b_256_hex: string;
  raw_signature_hex: string;
}
const { signatures } = loadVectors<{ signatures: SignatureVector[] }>('signatures');
const edKeys = keyVectors().filter((k) => k.curve === 'ed25519');
const edVectors = signatures.filter((v) => edKeys.some((k) => k.name === v.key));
const publicKeyOf = (name: string) => hexToBytes(edKeys.find((k) => k.name === name)?.public_key_hex ?? '');

/** Every way to spoil a (key, digest, signature) that this file checks, each named. */
function mutations(pk: Uint8Array, digest: Uint8Array, signature: Uint8Array): [string, Uint8Array, Uint8Array, Uint8Array][] {
  const s = sOf(signature);
  return [
    ['S + L (non-canonical S)', pk, digest, withS(signature, s + L)],
    ['S + 8L', pk, digest, withS(signature, s + 8n * L)],
    ['S − 1', pk, digest, withS(signature, s === 0n ? L - 1n : s - 1n)],
    ['S = 0', pk, digest, withS(signature, 0n)],
    ['S with its top bit set', pk, digest, flip(signature, 63, 0x80)],
    ['R low bit flipped', pk, digest, flip(signature, 0, 0x01)],
    ['R sign bit flipped', pk, digest, flip(signature, 31, 0x80)],
    ['R = identity', pk, digest, withR(signature, hexToBytes(ED25519_TORSION_SUBGROUP[0] ?? ''))],
    ['R non-canonical (y = p)', pk, digest, withR(signature, nonCanonical(0n))],
    ['R non-canonical (y = p + 1)', pk, digest, withR(signature, nonCanonical(1n))],
    ['R and S swapped', pk, digest, Uint8Array.of(...signature.subarray(32), ...signature.subarray(0, 32))],
    ['S low bit flipped', pk, digest, flip(signature, 32, 0x01)],
    ['digest first bit flipped', pk, flip(digest, 0, 0x01), signature],
    ['digest last byte changed', pk, flip(digest, 31, 0xff), signature],
    ['digest empty', pk, new Uint8Array(), signature],
    ['digest with a byte more', pk, Uint8Array.of(...digest, 0), signature],
    ['key low bit flipped', flip(pk, 0, 0x01), digest, signature],
    ['key sign bit flipped', flip(pk, 31, 0x80), digest, signature],
    ['key non-canonical (y + p) of a valid y', nonCanonical(3n), digest, signature],
    ['key of small order', hexToBytes(ED25519_TORSION_SUBGROUP[1] ?? ''), digest, signature],
  ];
}

describe('loading node:crypto Ed25519', () => {
  it('is available on this Node, so the signer uses it', () => {
    expect(builtinCrypto()?.verify).toBe(nodeCrypto.verify);
    expect(native.implementation).toBe('node:crypto');
  });

  it('gives way to noble without node:crypto, when OpenSSL lacks Ed25519, or when it answers wrongly', () => {
    const reasonOf = (crypto: typeof nodeCrypto | undefined) => {
      const load = loadNativeEd25519(crypto);
      return 'unavailable' in load ? load.unavailable : 'loaded';
    };
    expect(reasonOf(undefined)).toMatch(/no node:crypto/);
    const unsupported = {
      ...nodeCrypto,
      createPublicKey: () => {
        throw new Error('error:0308010C:digital envelope routines::unsupported');
      },
    };
    expect(reasonOf(unsupported)).toMatch(/self-test: error:0308010C/);
    expect(reasonOf({ ...nodeCrypto, verify: () => true })).toMatch(/wrong answer/);
    expect(reasonOf({ ...nodeCrypto, verify: () => false })).toMatch(/wrong answer/);
    expect(reasonOf({ ...nodeCrypto, sign: () => Buffer.alloc(64) })).toMatch(/wrong answer/);
  });
});

describe('node:crypto Ed25519 gives noble’s strict verdicts', () => {
  it('has the Ed25519 vectors', () => {
    expect(edVectors.length).toBeGreaterThanOrEqual(10);
  });

  it.each(edVectors.map((v) => [`${v.key} ${v.request}`, v] as const))('accepts %s as noble does, and refuses it under the other key', (_name, v) => {
    const pk = publicKeyOf(v.key);
    const digest = hexToBytes(v.blake2b_256_hex);
    const signature = hexToBytes(v.raw_signature_hex);
    expect(noble(pk, digest, signature)).toBe(true);
    expect(nativeVerdict(pk, digest, signature)).toBe(true);
    for (const other of edKeys.filter((k) => k.name !== v.key)) {
      const otherPk = hexToBytes(other.public_key_hex);
      expect(noble(otherPk, digest, signature)).toBe(false);
      expect(nativeVerdict(otherPk, digest, signature)).toBe(false);
    }
  });

  it.each(edVectors.map((v) => [`${v.key} ${v.request}`, v] as const))('agrees with noble on every mutation of %s', (_name, v) => {
    const cases = mutations(publicKeyOf(v.key), hexToBytes(v.blake2b_256_hex), hexToBytes(v.raw_signature_hex));
    const verdicts = cases.map(([name, pk, digest, signature]) => [name, nativeVerdict(pk, digest, signature)]);
    expect(verdicts).toEqual(cases.map(([name, pk, digest, signature]) => [name, noble(pk, digest, signature)]));
    // none of these is a valid signature: the agreement is not a shared blind spot
    expect(verdicts.filter(([, ok]) => ok)).toEqual([]);
  });

  it('agrees with noble on every other 64-byte vector signature (secp256k1, p256) under the Ed25519 keys', () => {
    const others = signatures.filter((v) => !edVectors.includes(v) && v.raw_signature_hex.length === 128);
    expect(others.length).toBeGreaterThanOrEqual(20);
    for (const v of others) {
      for (const k of edKeys) {
        const pk = hexToBytes(k.public_key_hex);
        const [digest, signature] = [hexToBytes(v.blake2b_256_hex), hexToBytes(v.raw_signature_hex)];
        expect([v.key, nativeVerdict(pk, digest, signature)]).toEqual([v.key, noble(pk, digest, signature)]);
      }
    }
  });

  it('agrees with noble on random keys and messages, signed honestly then spoiled anywhere', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (seed, message, at, mask) => {
          const pk = ed25519.getPublicKey(seed);
          const signature = ed25519.sign(message, seed);
          expect(nativeVerdict(pk, message, signature)).toBe(true);
          expect(noble(pk, message, signature)).toBe(true);
          // one byte changed somewhere in signature ‖ message ‖ key
          const where = at % (64 + message.length + 32);
          const [s, m, k] =
            where < 64
              ? [flip(signature, where, mask), message, pk]
              : where < 64 + message.length
                ? [signature, flip(message, where - 64, mask), pk]
                : [signature, message, flip(pk, where - 64 - message.length, mask)];
          expect(nativeVerdict(k, m, s)).toBe(noble(k, m, s));
          expect(nativeVerdict(k, m, s)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('agrees with noble on random bytes for key and signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 40 }), (pk, signature, message) => {
        expect(nativeVerdict(pk, message, signature)).toBe(noble(pk, message, signature));
      }),
      { numRuns: 100 },
    );
  });
});

describe('where OpenSSL alone is looser than noble, the key checks in front close the gap', () => {
  it('refuses a signature under a small-order key, which OpenSSL alone accepts', () => {
    // A of order 8, S = 0, R = −[k]A: [S]B − [k]A = R holds whenever k ≡ j (mod 8) for the j chosen
    const a = hexToBytes(ED25519_TORSION_SUBGROUP[1] ?? '');
    const A = ed25519.Point.fromBytes(a);
    let forged: { message: Uint8Array; signature: Uint8Array } | undefined;
    for (let i = 0; forged === undefined && i < 256; i++) {
      const message = new Uint8Array(32).fill(i);
      for (let j = 0n; j < 8n; j++) {
        const r = A.multiplyUnsafe(j).negate().toBytes();
        if (challenge(r, a, message) % 8n === j) {
          forged = { message, signature: Uint8Array.of(...r, ...new Uint8Array(32)) };
          break;
        }
      }
    }
    if (forged === undefined) throw new Error('no forgery found in 256 messages (each has a 1 in 8 chance per R)');
    expect(openssl(a, forged.message, forged.signature)).toBe(true);
    expect(noble(a, forged.message, forged.signature)).toBe(false);
    expect(nativeVerdict(a, forged.message, forged.signature)).toBe(false);
  });

  it('refuses a non-canonical key (the identity as y = p + 1) with INVALID_ENCODING, where OpenSSL alone accepts one signature for every message', () => {
    const key = nonCanonical(1n);
    const signature = Uint8Array.of(...hexToBytes(ED25519_TORSION_SUBGROUP[0] ?? ''), ...new Uint8Array(32));
    for (const message of [new Uint8Array(), new Uint8Array(32).fill(7)]) {
      expect(openssl(key, message, signature)).toBe(true);
      expect(noble(key, message, signature)).toBe(false);
    }
    expect(thrownMessage('INVALID_ENCODING', () => native.verifier(key))).toMatch(/not a valid ed25519 point/);
  });

  it('refuses S + L like noble (OpenSSL checks S < L itself)', () => {
    const v = edVectors[0];
    if (v === undefined) throw new Error('no vector');
    const pk = publicKeyOf(v.key);
    const digest = hexToBytes(v.blake2b_256_hex);
    const signature = hexToBytes(v.raw_signature_hex);
    const sPlusL = withS(signature, sOf(signature) + L);
    expect(bytesToHex(sPlusL)).not.toBe(v.raw_signature_hex);
    expect(openssl(pk, digest, sPlusL)).toBe(false);
    expect(noble(pk, digest, sPlusL)).toBe(false);
    expect(nativeVerdict(pk, digest, sPlusL)).toBe(false);
  });
});

describe('where noble’s own verify is looser (the cofactor), both implementations refuse as octez does', () => {
  // noble checks the cofactored equation [8](R + kA − SB) = 0; OpenSSL the exact one, so a
  // small-order component in R or A that the cofactor hides is refused; the fallback checks the
  // exact one too. An honest signer's R and A are in the prime-order subgroup, where both agree.
  const seed = new Uint8Array(32).fill(42);
  const { scalar, pointBytes: pk } = ed25519.utils.getExtendedPublicKey(seed);
  const torsion = ed25519.Point.fromBytes(hexToBytes(ED25519_TORSION_SUBGROUP[1] ?? ''));
  const message = new Uint8Array(32).fill(9);
  const dirty = ed25519.Point.fromBytes(pk).add(torsion).toBytes();
  /** A signature by `scalar` under the key `key`, with the first nonce from `nonce` whose challenge k makes `wanted(k)` true. */
  const signedUnder = (key: Uint8Array, nonce: bigint, wanted: (k: bigint) => boolean) => {
    while (!wanted(challenge(ed25519.Point.BASE.multiply(nonce).toBytes(), key, message))) nonce += 1n;
    const r = ed25519.Point.BASE.multiply(nonce).toBytes();
    const s = ed25519.Point.Fn.create(nonce + challenge(r, key, message) * scalar);
    return Uint8Array.of(...r, ...numberToBytesLE(s, 32));
  };

  it('refuses a signature whose R carries a small-order component, which noble accepts', () => {
    const r = ed25519.Point.BASE.multiply(123456789n).add(torsion).toBytes();
    const s = ed25519.Point.Fn.create(123456789n + challenge(r, pk, message) * scalar);
    const signature = Uint8Array.of(...r, ...numberToBytesLE(s, 32));
    expect(noble(pk, message, signature)).toBe(true);
    expect([nativeVerdict(pk, message, signature), fallbackVerdict(pk, message, signature)]).toEqual([false, false]);
  });

  it('refuses a signature under a key with a small-order component when the exact equation fails, which noble accepts', () => {
    // [S]B − [k]A' = R − [k]T: exact only when k ≡ 0 (mod 8), so take a nonce whose k is not
    const signature = signedUnder(dirty, 1n, (k) => k % 8n !== 0n);
    expect(noble(dirty, message, signature)).toBe(true);
    expect([nativeVerdict(dirty, message, signature), fallbackVerdict(dirty, message, signature)]).toEqual([false, false]);
  });

  it('accepts, like OpenSSL, a signature under such a key when the exact equation holds (k ≡ 0 mod 8)', () => {
    const signature = signedUnder(dirty, 1n, (k) => k % 8n === 0n);
    expect(openssl(dirty, message, signature)).toBe(true);
    expect([nativeVerdict(dirty, message, signature), fallbackVerdict(dirty, message, signature)]).toEqual([true, true]);
  });
});

describe('node:crypto and the noble fallback agree', () => {
  it('sign every seed and message to the same bytes, which both verify', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed, digest) => {
        const signature = native.sign(seed, digest);
        expect(bytesToHex(signature)).toBe(bytesToHex(nobleEd25519.sign(seed, digest)));
        expect(bytesToHex(signature)).toBe(bytesToHex(ed25519.sign(digest, seed)));
      }),
      { numRuns: 1000 },
    );
  });

  it('give the same verdict on honest signatures spoiled anywhere, in S, R, the digest or the key', () => {
    // a pool of keys (noble derives a public key in half a millisecond), random digests and spoils
    const pool = Array.from({ length: 16 }, (_, i) => {
      const seed = sha512(Uint8Array.of(i)).subarray(0, 32);
      return { seed, pk: ed25519.getPublicKey(seed) };
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...pool),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.oneof(
          fc.record({ at: fc.nat(32 + 64 + 31), mask: fc.integer({ min: 1, max: 255 }) }),
          fc.record({ s: fc.constantFrom(0n, 1n, L - 1n, L, L + 1n, 2n ** 256n - 1n) }),
        ),
        ({ seed, pk }, digest, spoil) => {
          const signature = native.sign(seed, digest);
          expect(nativeVerdict(pk, digest, signature)).toBe(true);
          let [k, d, sig] = [pk, digest, signature];
          if ('s' in spoil) sig = withS(signature, spoil.s);
          else if (spoil.at < 64) sig = flip(signature, spoil.at, spoil.mask);
          else if (spoil.at < 96) d = flip(digest, spoil.at - 64, spoil.mask);
          else k = flip(pk, spoil.at - 96, spoil.mask);
          expect(nativeVerdict(k, d, sig)).toBe(fallbackVerdict(k, d, sig));
          expect(nativeVerdict(k, d, sig)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('give the same verdict on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.uint8Array({ maxLength: 40 }), (pk, signature, message) => {
        expect(nativeVerdict(pk, message, signature)).toBe(fallbackVerdict(pk, message, signature));
      }),
      { numRuns: 1500 },
    );
  });
});
