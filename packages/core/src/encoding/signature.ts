import { b58cDecode, b58cEncode } from './base58.js';
import type { Curve } from '../curve.js';
import { invalidEncoding } from '../errors.js';
import { CURVE_PREFIXES, curveOfPrefix } from './prefixes.js';

const SIGNATURE_PREFIXES = ['edsig', 'spsig1', 'p2sig', 'BLsig', 'sig'] as const;

/** edsig/spsig1/p2sig/BLsig text: octez answers with the curve's own prefix, never `sig`. */
export function encodeSignature(curve: Curve, bytes: Uint8Array): string {
  const { signature, signatureLength } = CURVE_PREFIXES[curve];
  if (bytes.length !== signatureLength) {
    throw invalidEncoding(`${signature} payload must be ${signatureLength} bytes, got ${bytes.length}`);
  }
  return b58cEncode(bytes, signature);
}

/**
 * The raw bytes of a signature. A generic `sig` does not say its curve, so `curve` is
 * undefined for it; the caller knows the curve from the key that should have signed.
 */
export function decodeSignature(text: string): { curve?: Curve; bytes: Uint8Array } {
  const { prefix, payload } = b58cDecode(text, SIGNATURE_PREFIXES, 'an edsig/spsig1/p2sig/BLsig/sig signature');
  if (prefix === 'sig') return { bytes: payload };
  return { curve: curveOfPrefix(prefix, 'signature'), bytes: payload };
}
