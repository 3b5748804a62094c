import { ed25519 } from '@noble/curves/ed25519.js';
import { blsSign } from './bls.js';
import type { Curve } from './curve.js';
import { ECDSA } from './ecdsa.js';
import { builtinCrypto, loadNativeEd25519 } from './ed25519-native.js';
import { invalidEncoding } from './errors.js';
import type { SignInput } from './ports/key-provider.js';
import { PublicKeyVerifiers } from './public-key-verifiers.js';
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

// one set for the process: every signature leaves only once verified, so a key's decoding and
// checks are done once, and Ed25519 runs on node:crypto where it exists
const verifiers = new PublicKeyVerifiers(loadNativeEd25519(builtinCrypto()));

/**
 * Whether `signature` (raw bytes) is a valid signature of `bytes` by `publicKey` (raw bytes),
 * hashing as the curve needs. Like octez: ECDSA only in low-S form, Ed25519 strict (RFC 8032).
 * A malformed signature is simply not valid (false); a malformed public key is INVALID_ENCODING.
 */
export function verifySignature(curve: Curve, publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  return verifiers.for(curve, publicKey)(bytes, signature);
}
