import type { Curve } from '../curve.js';
import { PROCESS_CRYPTO } from '../crypto/implementations.js';
import { invalidEncoding } from '../errors.js';
import type { SignInput } from '../ports/key-provider.js';
import { PublicKeyVerifiers } from './verifiers.js';
import { assertSecretKey, type SecretKey } from '../encoding/secret-key.js';
import { assertPublicKey } from '../encoding/public-key.js';
import { blsSignAugmented, verifyBlsAugmented } from '../crypto/bls-scheme.js';
import type { BlsScheme } from './signature-version.js';

export { blsProveProofOfPossession, verifyBlsProofOfPossession } from '../crypto/bls-scheme.js';

/**
 * Raw signature bytes as octez makes them: Ed25519 and ECDSA sign `input.digest`
 * (BLAKE2b-256 of the bytes), ECDSA deterministically (RFC 6979) and low-S; BLS signs
 * `input.bytes` themselves (under the scheme `input.blsScheme` names). Each curve on the fastest implementation this process has.
 */
export function signWithSecretKey(sk: SecretKey, input: SignInput): Uint8Array {
  assertSecretKey(sk.curve, sk.bytes);
  const { sign } = PROCESS_CRYPTO.byCurve[sk.curve];
  if (sk.curve === 'bls12_381') return input.blsScheme === 'aug' ? blsSignAugmented(sk, input.bytes) : sign(sk.bytes, input.bytes);
  if (input.digest.length !== 32) throw invalidEncoding(`the digest to sign must be 32 bytes, got ${input.digest.length}`);
  return sign(sk.bytes, input.digest);
}

// one set for the process: every signature leaves only once verified, so a key's decoding and
// checks (and its P-256 table) are done once
const verifiers = new PublicKeyVerifiers(PROCESS_CRYPTO.byCurve);

/**
 * Makes `publicKey`'s verifier now (INVALID_ENCODING if it is not a key of `curve`): what a key
 * costs to decode, check and precompute is then paid before its first signature, not during it.
 */
export function prepareVerifier(curve: Curve, publicKey: Uint8Array): void {
  verifiers.for(curve, publicKey);
}

/**
 * Whether `signature` (raw bytes) is a valid signature of `bytes` by `publicKey` (raw bytes),
 * hashing as the curve needs. Like octez: ECDSA only in low-S form, Ed25519 strict (RFC 8032),
 * BLS only in its canonical compressed encoding, under `blsScheme` (default `pop`).
 * A malformed signature is simply not valid (false); a malformed public key is INVALID_ENCODING.
 */
export function verifySignature(curve: Curve, publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array, blsScheme?: BlsScheme): boolean {
  if (curve === 'bls12_381' && blsScheme === 'aug') return verifyBlsAugmented(publicKey, bytes, signature);
  return verifiers.for(curve, publicKey)(bytes, signature);
}

/**
 * verifySignature of what a signer signed, given as it was signed (SignInput): the bytes with
 * their BLAKE2b-256 digest, which Ed25519 and ECDSA verify against without hashing the bytes
 * again. The digest must be the one of these bytes, computed by the caller itself (a signer
 * hashes its own copy of a request once), never one taken from a client.
 */
export function verifySignatureOf(curve: Curve, publicKey: Uint8Array, signed: SignInput, signature: Uint8Array): boolean {
  if (curve === 'bls12_381' && signed.blsScheme === 'aug') return verifyBlsAugmented(publicKey, signed.bytes, signature);
  return verifiers.for(curve, publicKey)(signed.bytes, signature, signed.digest);
}

/**
 * Whether `signature` (raw bytes) is `publicKey`'s valid signature of the bytes whose
 * BLAKE2b-256 is `digest`, for a file that keeps only that digest (octez-signer's watermark
 * files). Ed25519 and ECDSA sign the digest, so it is enough; BLS signs the bytes themselves,
 * so a tz4 signature cannot be checked from a digest: undefined.
 */
export function verifyDigestSignature(curve: Curve, publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean | undefined {
  if (curve === 'bls12_381') return undefined;
  if (digest.length !== 32) throw invalidEncoding(`a digest is 32 bytes, got ${digest.length}`);
  assertPublicKey(curve, publicKey);
  return PROCESS_CRYPTO.byCurve[curve].verifier(publicKey)(digest, signature);
}
