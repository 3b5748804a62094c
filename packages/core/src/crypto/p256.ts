import { wNAF } from '@noble/curves/abstract/curve.js';
import { p256 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { asBuffer, ecdsaKnownAnswer, requireNative, selfTested, type CurveCrypto, type NativeLoad } from './curve-crypto.js';
import { nobleEcdsa } from './ecdsa-noble.js';

// 2^(w−1) points for each of ⌈256/w⌉ + 1 windows: about 650 KiB a key at 8 (200 KiB at 6, but
// half again slower). Only the signer's own keys and its authorized keys get verifiers, each
// once, and PublicKeyVerifiers bounds how many are kept.
const WINDOW = 8;

const { Point, Signature } = p256;
const { Fn } = Point;
// noble's multiplyUnsafe takes a precomputed point to its constant-time multiply (an addition,
// real or fake, for every window); its wNAF's own `unsafe` adds only for nonzero windows, from the
// same tables (noble keeps them per point, for every wNAF of the curve)
const wnaf = new wNAF(Point, Fn.BITS);
const reference = nobleEcdsa(p256);

/**
 * P-256 verification with a table per public key. OpenSSL cannot take a BLAKE2b digest, so
 * P-256 stays on noble, but noble's `verify` decodes the key and multiplies it without a
 * table on every call; here the key is decoded and precomputed once (noble's Point API, a
 * wider window), and each signature is verified as noble's `verify` does (SEC 1 §4.1.4, low-S
 * only): several times faster for a key that verifies again and again, as a served key does.
 */
export const p256WithTables: CurveCrypto = {
  implementation: `noble, a table per key (window ${WINDOW})`,
  sign: reference.sign,
  verifier: (publicKey) => {
    const point = Point.fromBytes(publicKey).precompute(WINDOW, false);
    return (digest, signature) => {
      if (digest.length !== 32 || signature.length !== 64) return false;
      try {
        // fromBytes refuses r or s outside [1, n − 1]; with a 256-bit n the digest is taken whole (bits2int)
        const { r, s } = Signature.fromBytes(signature, 'compact');
        if (s > Fn.ORDER >> 1n) return false;
        const sInverse = Fn.inv(s);
        const u1 = Fn.create(bytesToNumberBE(digest) * sInverse);
        // R = u1·G + u2·P, the second multiplication added onto the first
        const R = wnaf.unsafe(point, Fn.create(r * sInverse), undefined, wnaf.unsafe(Point.BASE, u1));
        return !R.is0() && Fn.create(R.toAffine().x) === r;
      } catch {
        return false;
      }
    };
  },
};

export { reference as nobleP256 };

/** The part of bcrypto's native P-256 (libtorsion through N-API) used here; it takes Buffers only. */
interface TorsionP256 {
  sign(digest: Buffer, secretKey: Buffer): Buffer;
  verify(digest: Buffer, signature: Buffer, publicKey: Buffer): boolean;
}

const SELF_TEST = ecdsaKnownAnswer(
  '036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296',
  'bce72ed97ed1ebfaa4f3cdd4151a53bdc3345905fec7ed4179439acafb819413168732fcf2a7d975a93f7c85a89d6a1860010d5ea41a6cd480a9bed21bbb6ac1',
);

function fromTorsion(lib: TorsionP256): CurveCrypto {
  return {
    implementation: 'libtorsion',
    // RFC 6979 without extra data and low-S, as noble's: the self-test and the tests hold it to noble's bytes
    sign: (secretKey, digest) => Uint8Array.from(lib.sign(asBuffer(digest), asBuffer(secretKey))),
    verifier: (publicKey) => {
      // libtorsion parses the key on every call: uncompressed, it needs no square root
      const uncompressed = asBuffer(Point.fromBytes(publicKey).toBytes(false));
      return (digest, signature) => {
        if (digest.length !== 32 || signature.length !== 64) return false;
        // libtorsion accepts a high s, octez refuses it; r and s outside [1, n − 1] it refuses itself
        if (bytesToNumberBE(signature.subarray(32)) > Fn.ORDER >> 1n) return false;
        try {
          return lib.verify(asBuffer(digest), asBuffer(signature), uncompressed);
        } catch {
          return false;
        }
      };
    },
  };
}

/**
 * P-256 on libtorsion (bcrypto's C, compiled at install: no prebuilt binary), some 3× the
 * tables for verifying and 4× noble for signing; the same signatures as noble's. Its native
 * entry, not bcrypto's main one, which quietly falls back to JavaScript when the binary is missing.
 */
export function loadNativeP256(): NativeLoad {
  const loaded = requireNative<TorsionP256>('bcrypto/lib/native/p256.js');
  if ('unavailable' in loaded) {
    return { unavailable: `${loaded.unavailable} (bcrypto is compiled at install: with g++, make and python3 there, install again)`, instead: p256WithTables };
  }
  const tested = selfTested(fromTorsion(loaded.module), SELF_TEST);
  return 'crypto' in tested ? tested : { ...tested, instead: p256WithTables };
}
