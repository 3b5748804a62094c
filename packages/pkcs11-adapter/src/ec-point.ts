import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { assertPublicKey } from '@tezsigner/core';
import type { TokenCurve } from './mechanisms.js';

/**
 * The public key as Tezos encodes it from a CKA_EC_POINT: PKCS#11 wraps the point in a DER
 * OCTET STRING (some modules leave it bare), ECDSA points arrive uncompressed and Tezos keeps
 * them compressed. Throws INVALID_ENCODING for a point that is not on the curve.
 */
export function tezosPublicKey(curve: TokenCurve, ecPoint: Uint8Array): Uint8Array {
  const point = unwrapOctetString(ecPoint, curve === 'ed25519' ? [32] : [33, 65]);
  const compressed = curve === 'ed25519' ? point : (curve === 'secp256k1' ? secp256k1 : p256).Point.fromBytes(point).toBytes(true);
  assertPublicKey(curve, compressed);
  return compressed;
}

function unwrapOctetString(bytes: Uint8Array, lengths: readonly number[]): Uint8Array {
  // 0x04 <len> <point>: lengths below 128 take one length byte, which every point here has
  if (bytes[0] === 0x04 && bytes[1] === bytes.length - 2 && lengths.includes(bytes.length - 2)) return bytes.subarray(2);
  if (bytes[0] === 0x04 && bytes[1] === 0x81 && bytes[2] === bytes.length - 3 && lengths.includes(bytes.length - 3)) return bytes.subarray(3);
  return bytes;
}
