import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { invalidEncoding } from '../errors.js';

export type EcdsaCurve = 'secp256k1' | 'p256';

export const ECDSA = { secp256k1, p256 } as const;

/**
 * The one signature form octez accepts: 64-byte r ‖ s with s ≤ n/2. HSMs answer r ‖ s
 * (Azure) or DER (PKCS#11) and pick either s, so a high s is mapped to n − s (an equally
 * valid signature; octez rejects the high one).
 */
export function normalizeEcdsaSignature(curve: EcdsaCurve, raw: Uint8Array): Uint8Array {
  const { Signature } = ECDSA[curve];
  let signature;
  try {
    // a DER signature is never exactly 64 bytes in practice (30 len 02 len r 02 len s)
    signature = Signature.fromBytes(raw, raw.length === 64 ? 'compact' : 'der');
  } catch {
    throw invalidEncoding(
      `${curve} signature must be 64 bytes r‖s or DER with r and s in [1, n−1], got ${raw.length} bytes that are neither`,
    );
  }
  return (signature.hasHighS() ? signature.normalizeS() : signature).toBytes('compact');
}
