import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b256 } from './blake2b.js';
import { blsSign, blsVerify } from './bls.js';
import type { Curve } from './curve.js';
import { ECDSA } from './ecdsa.js';
import { invalidEncoding } from './errors.js';
import type { SignInput } from './ports/key-provider.js';
import { assertPublicKey } from './public-key.js';
import { assertSecretKey, type SecretKey } from './secret-key.js';

export { blsProveProofOfPossession, verifyBlsProofOfPossession } from './bls.js';

/**
 * Raw signature bytes as octez makes them: Ed25519 and ECDSA sign `input.digest`
 * (BLAKE2b-256 of the bytes), ECDSA deterministically (RFC 6979) and low-S; BLS signs
 * `input.bytes` themselves.
 */
export function signWithSecretKey(sk: SecretKey, input: SignInput): Uint8Array {
  assertSecretKey(sk.curve, sk.bytes);
  if (sk.curve === 'bls12_381') return blsSign(sk, input.bytes);
  if (input.digest.length !== 32) throw invalidEncoding(`the digest to sign must be 32 bytes, got ${input.digest.length}`);
  if (sk.curve === 'ed25519') return ed25519.sign(input.digest, sk.bytes);
  return ECDSA[sk.curve].sign(input.digest, sk.bytes, { lowS: true, prehash: false }).toBytes('compact');
}

/**
 * Whether `signature` (raw bytes) is a valid signature of `bytes` by `publicKey` (raw bytes),
 * hashing as the curve needs. Like octez: ECDSA only in low-S form, Ed25519 strict (RFC 8032).
 * A malformed signature is simply not valid (false); a malformed public key is INVALID_ENCODING.
 */
export function verifySignature(curve: Curve, publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  assertPublicKey(curve, publicKey);
  if (curve === 'bls12_381') return blsVerify(publicKey, bytes, signature);
  if (signature.length !== 64) return false;
  const digest = blake2b256(bytes);
  try {
    if (curve === 'ed25519') return ed25519.verify(signature, digest, publicKey, { zip215: false });
    return ECDSA[curve].verify(signature, digest, publicKey, { lowS: true, prehash: false, format: 'compact' });
  } catch {
    return false;
  }
}
