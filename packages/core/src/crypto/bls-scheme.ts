import { bls12_381 } from '@noble/curves/bls12-381.js';
import { assertPublicKey } from '../encoding/public-key.js';
import { assertSecretKey, blsScalar, derivePublicKey, type SecretKey } from '../encoding/secret-key.js';
import { notSupported } from '../errors.js';
import { importedOnce, type KeyVerifier } from './curve-crypto.js';

// The proof-of-possession ciphersuite octez uses for tz4 (min-pk: keys in G1, signatures in G2).
export const BLS_SIGNATURE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
export const BLS_POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
// The augmented scheme of signature version 1 (octez `signature_v1.ml`, `sign_aug`): the
// message signed is the 48-byte public key followed by the bytes, under this DST.
export const BLS_AUG_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_AUG_';

/** what the augmented scheme signs: the public key, then the bytes */
export function augmentedMessage(publicKey: Uint8Array, bytes: Uint8Array): Uint8Array {
  const message = new Uint8Array(publicKey.length + bytes.length);
  message.set(publicKey, 0);
  message.set(bytes, publicKey.length);
  return message;
}

const { longSignatures } = bls12_381;

function requireBls(sk: SecretKey): void {
  if (sk.curve !== 'bls12_381') throw notSupported(`a BLS operation needs a bls12_381 key, got ${sk.curve}`);
  assertSecretKey(sk.curve, sk.bytes);
}

/** noble's BLS signature (96 bytes) of the raw message bytes under `dst`; the scalar as octez stores it (little-endian). */
export function nobleBlsSign(secretKey: Uint8Array, message: Uint8Array, dst: string): Uint8Array {
  const point = longSignatures.sign(longSignatures.hash(message, dst), blsScalar(secretKey));
  return longSignatures.Signature.toBytes(point);
}

/** noble's verifier of BLS signatures under `dst` by one public key, decoded once (and checked to be in G1). */
export function nobleBlsVerifier(publicKey: Uint8Array, dst: string): KeyVerifier {
  const point = bls12_381.G1.Point.fromBytes(publicKey);
  return (message, signature) => {
    if (signature.length !== 96) return false;
    try {
      // Signature.fromBytes checks the point is in G2; verify then does the pairing check
      const sig = longSignatures.Signature.fromBytes(signature);
      // noble also reads a point from a cleared compression flag or an x ≥ p (taken mod p), so
      // one signature would have other encodings that octez (blst) refuses: only the one it writes passes
      const canonical = longSignatures.Signature.toBytes(sig);
      if (!canonical.every((byte, i) => byte === signature[i])) return false;
      return longSignatures.verify(sig, longSignatures.hash(message, dst), point);
    } catch {
      return false;
    }
  };
}

/** Proof of possession of a tz4 key: its own 48-byte public key signed under the POP DST (noble: blst's binding has no DST of choice). */
export function blsProveProofOfPossession(sk: SecretKey): Uint8Array {
  requireBls(sk);
  return nobleBlsSign(sk.bytes, derivePublicKey(sk), BLS_POP_DST);
}

export function verifyBlsProofOfPossession(publicKey: Uint8Array, proof: Uint8Array): boolean {
  assertPublicKey('bls12_381', publicKey);
  return nobleBlsVerifier(publicKey, BLS_POP_DST)(publicKey, proof);
}

/**
 * A signature of `bytes` under the augmented scheme (version 1). noble only: blst's binding
 * hashes under the proof-of-possession DST and takes no other.
 */
export function blsSignAugmented(sk: SecretKey, bytes: Uint8Array): Uint8Array {
  requireBls(sk);
  return nobleBlsSign(sk.bytes, augmentedMessage(publicKeyOf(sk.bytes), bytes), BLS_AUG_DST);
}

// a provider signs with the same key array each time: its public key (a G1 multiplication,
// some 10 ms on noble) is derived once per array
const publicKeyOf = importedOnce((secret) => derivePublicKey({ curve: 'bls12_381', bytes: secret }));

/** Whether `signature` is a version-1 (augmented) signature of `bytes` by `publicKey`. */
export function verifyBlsAugmented(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  assertPublicKey('bls12_381', publicKey);
  return nobleBlsVerifier(publicKey, BLS_AUG_DST)(augmentedMessage(publicKey, bytes), signature);
}
