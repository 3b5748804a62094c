import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { keyVectors } from '../../../../test-support/vectors.js';
import { nobleP256, p256WithTables } from './p256.js';
import { nobleSecp256k1 } from './secp256k1.js';
import { FAST } from '../../../../test-support/crypto-implementations.js';
import { flip } from '../../../../test-support/signature-crafting.js';

const NOBLE = { secp256k1, p256 } as const;
type EcdsaCurve = keyof typeof NOBLE;
const word = (n: bigint) => hexToBytes(n.toString(16).padStart(64, '0'));

/** noble's own verify, low-S as octez, on the compressed key as given (the noble verifiers keep it uncompressed). */
const reference = (curve: EcdsaCurve, pk: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean => {
  try {
    return NOBLE[curve].verify(signature, digest, pk, { lowS: true, prehash: false, format: 'compact' });
  } catch {
    return false;
  }
};

/**
 * Ways to spoil an honest (digest, r ‖ s): a flipped byte anywhere, r or s at the edges of their
 * range (0, n/2, n − 1, n, above), the high-S twin n − s, or another length.
 */
const spoils = (n: bigint) =>
  fc.oneof(
    fc.record({ flipAt: fc.nat(64 + 31), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ highS: fc.constant(true) }),
    fc.record({ s: fc.oneof(fc.constantFrom(0n, 1n, n >> 1n, (n >> 1n) + 1n, n - 1n, n, n + 1n, 2n ** 256n - 1n), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })) }),
    fc.record({ r: fc.constantFrom(0n, 1n, n - 1n, n, 2n ** 256n - 1n) }),
    fc.record({ length: fc.constantFrom(0, 32, 63, 65, 71, 72) }),
  );

type Spoil = ReturnType<typeof spoils> extends fc.Arbitrary<infer T> ? T : never;

function spoiled(n: bigint, digest: Uint8Array, signature: Uint8Array, spoil: Spoil): [Uint8Array, Uint8Array] {
  const r = BigInt(`0x${bytesToHex(signature.subarray(0, 32))}`);
  const s = BigInt(`0x${bytesToHex(signature.subarray(32))}`);
  if ('flipAt' in spoil) return spoil.flipAt < 64 ? [digest, flip(signature, spoil.flipAt, spoil.mask)] : [flip(digest, spoil.flipAt - 64, spoil.mask), signature];
  if ('highS' in spoil) return [digest, Uint8Array.of(...word(r), ...word(n - s))];
  if ('s' in spoil) return [digest, Uint8Array.of(...word(r), ...word(spoil.s))];
  if ('r' in spoil) return [digest, Uint8Array.of(...word(spoil.r), ...word(s))];
  const resized = new Uint8Array(spoil.length);
  resized.set(signature.subarray(0, spoil.length));
  return [digest, resized];
}

// the native implementation of each ECDSA curve, its noble reference, and what it must say it is
// (not its package's JavaScript fallback: elliptic for secp256k1, bcrypto's own for P-256).
// libsecp256k1 seeds RFC 6979 with a digest as given, not reduced mod n as RFC 6979's bits2octets
// and noble do: for a digest of n or more (2^-128 of them) its signature is another valid one.
const NATIVE_ECDSA = [
  { curve: 'secp256k1', native: FAST.secp256k1, reference: nobleSecp256k1, library: 'libsecp256k1', nonceFromReducedDigest: false },
  { curve: 'p256', native: FAST.p256, reference: nobleP256, library: 'libtorsion', nonceFromReducedDigest: true },
] as const;

describe.each(NATIVE_ECDSA)('$curve: $library and noble', ({ curve, native, reference: noble, library, nonceFromReducedDigest }) => {
  const n = NOBLE[curve].Point.Fn.ORDER;
  // a pool of keys: each verifier is made once, as the signer makes it once per key
  const pool = Array.from({ length: 16 }, (_, i) => {
    const sk = sha256(Uint8Array.of(i));
    const pk = NOBLE[curve].getPublicKey(sk, true);
    return { sk, pk, verify: { native: native.verifier(pk), noble: noble.verifier(pk) } };
  });
  const [first] = pool;
  if (first === undefined) throw new Error('no key');

  it(`loads ${library}`, () => {
    expect(native.implementation).toBe(library);
  });

  it('sign every key and digest to the same bytes: RFC 6979, low-S', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: n - 1n }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (scalar, digest) => {
        const sk = word(scalar);
        const signature = native.sign(sk, digest);
        expect(bytesToHex(signature)).toBe(bytesToHex(noble.sign(sk, digest)));
        expect(BigInt(`0x${bytesToHex(signature.subarray(32))}`) <= n >> 1n).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuse, as noble does, honest signatures spoiled: flipped, high-S, r or s out of range, resized', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ minLength: 32, maxLength: 32 }), spoils(n), ({ sk, verify }, digest, spoil) => {
        const signature = native.sign(sk, digest);
        expect(verify.native(digest, signature)).toBe(true);
        const [d, sig] = spoiled(n, digest, signature, spoil);
        expect([verify.native(d, sig), verify.noble(d, sig)]).toEqual([false, false]);
      }),
      { numRuns: 1000 },
    );
  });

  it('give noble’s verdict on random signatures under the vector keys', () => {
    const keys = keyVectors()
      .filter((k) => k.curve === curve)
      .map((k) => hexToBytes(k.public_key_hex))
      .map((pk) => ({ native: native.verifier(pk), noble: noble.verifier(pk) }));
    expect(keys.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (verify, digest, sig) => {
        expect(verify.native(digest, sig)).toBe(verify.noble(digest, sig));
      }),
      { numRuns: 1000 },
    );
  });

  it('accept what noble accepts for a digest whose value is n or more (taken mod n)', () => {
    const { sk, pk, verify } = first;
    const digest = word(n + 5n);
    const signature = noble.sign(sk, digest);
    const own = native.sign(sk, digest);
    expect(reference(curve, pk, digest, signature)).toBe(true);
    expect(bytesToHex(own) === bytesToHex(signature)).toBe(nonceFromReducedDigest);
    expect([verify.native(digest, signature), verify.native(word(5n), signature), verify.noble(digest, own)]).toEqual([true, true, true]);
  });

  it('read the digest and the signature where they lie inside a larger buffer', () => {
    const digest = sha256(Uint8Array.of(1, 2, 3));
    const signature = noble.sign(first.sk, digest);
    const backing = new Uint8Array(7 + 32 + 64 + 5).fill(0xee);
    backing.set(digest, 7);
    backing.set(signature, 39);
    const [d, sig] = [backing.subarray(7, 39), backing.subarray(39, 103)];
    expect(first.verify.native(d, sig)).toBe(true);
    expect(bytesToHex(native.sign(first.sk, d))).toBe(bytesToHex(signature));
    backing[102] = (backing[102] ?? 0) ^ 1;
    expect(first.verify.native(d, sig)).toBe(false);
  });
});

describe('P-256: noble with a table per key (where libtorsion is not built), and noble alone', () => {
  const { Fn } = p256.Point;
  const n = Fn.ORDER;
  // tables cost a few milliseconds each: a pool of keys, each with its verifiers made once
  const pool = Array.from({ length: 8 }, (_, i) => {
    const sk = sha256(Uint8Array.of(0x80, i));
    const pk = p256.getPublicKey(sk, true);
    return { sk, pk, verify: { tables: p256WithTables.verifier(pk), noble: nobleP256.verifier(pk) } };
  });

  it('sign with noble alike (the table is for verifying only)', () => {
    expect(p256WithTables.sign).toBe(nobleP256.sign);
  });

  it('refuse, as noble does, honest signatures spoiled: flipped, high-S, r or s out of range, resized', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ minLength: 32, maxLength: 32 }), spoils(n), ({ sk, verify }, digest, spoil) => {
        const signature = nobleP256.sign(sk, digest);
        expect(verify.tables(digest, signature)).toBe(true);
        const [d, sig] = spoiled(n, digest, signature, spoil);
        expect([verify.tables(d, sig), verify.noble(d, sig)]).toEqual([false, false]);
      }),
      { numRuns: 400 },
    );
  });

  it('give noble’s verdict on random signatures', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), ({ verify }, digest, sig) => {
        expect(verify.tables(digest, sig)).toBe(verify.noble(digest, sig));
      }),
      { numRuns: 500 },
    );
  });

  it('accept what noble accepts for a digest whose value is n or more (taken mod n)', () => {
    const [first] = pool;
    if (first === undefined) throw new Error('no key');
    const { sk, pk, verify } = first;
    const digest = word(n + 5n);
    const signature = nobleP256.sign(sk, digest);
    expect(reference('p256', pk, digest, signature)).toBe(true);
    expect(verify.tables(digest, signature)).toBe(true);
    expect(verify.tables(word(5n), signature)).toBe(true);
  });
});
