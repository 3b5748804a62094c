import { wNAF } from '@noble/curves/abstract/curve.js';
import { p256 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import type { CurveCrypto } from './curve-crypto.js';
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
