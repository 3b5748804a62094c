import type { p256 } from '@noble/curves/nist.js';
import type { secp256k1 } from '@noble/curves/secp256k1.js';
import type { CurveCrypto } from './curve-crypto.js';

/**
 * ECDSA by noble, the reference: RFC 6979 deterministic and low-S signatures of the digest
 * itself; verification like octez's, of low-S signatures only (the high-S twin is refused).
 */
export function nobleEcdsa(curve: typeof secp256k1 | typeof p256): CurveCrypto {
  return {
    implementation: 'noble',
    sign: (secretKey, digest) => curve.sign(digest, secretKey, { lowS: true, prehash: false }).toBytes('compact'),
    verifier: (publicKey) => {
      // noble's verify decodes the key it is given on every call; the uncompressed form of the
      // same point spares it the square root that recovers y (it still checks the point is on the curve)
      const uncompressed = curve.Point.fromBytes(publicKey).toBytes(false);
      return (digest, signature) => {
        if (signature.length !== 64) return false;
        try {
          return curve.verify(signature, digest, uncompressed, { lowS: true, prehash: false, format: 'compact' });
        } catch {
          return false;
        }
      };
    },
  };
}
