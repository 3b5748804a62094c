import { p256 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import type { CurveCrypto } from './curve-crypto.js';
import { nobleEcdsa } from './ecdsa-noble.js';

// 2^(w−1) points for each of ⌈256/w⌉ + 1 windows: about 200 KiB a key at 6, 650 KiB at 8
const WINDOW = 6;

const { Point, Signature } = p256;
const { Fn } = Point;
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
        const R = Point.BASE.multiplyUnsafe(u1).add(point.multiplyUnsafe(Fn.create(r * sInverse)));
        return !R.is0() && Fn.create(R.toAffine().x) === r;
      } catch {
        return false;
      }
    };
  },
};

export { reference as nobleP256 };
