import { bls12_381 } from '@noble/curves/bls12-381.js';
import { assertPublicKey } from './public-key.js';
import { assertSecretKey, blsScalar, derivePublicKey, type SecretKey } from './secret-key.js';
import { notSupported } from './errors.js';

// The proof-of-possession ciphersuite octez uses for tz4 (min-pk: keys in G1, signatures in G2).
export const BLS_SIGNATURE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
export const BLS_POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

const { longSignatures } = bls12_381;

function requireBls(sk: SecretKey): void {
  if (sk.curve !== 'bls12_381') throw notSupported(`a BLS operation needs a bls12_381 key, got ${sk.curve}`);
  assertSecretKey(sk.curve, sk.bytes);
}

function sign(sk: SecretKey, message: Uint8Array, dst: string): Uint8Array {
  requireBls(sk);
  const point = longSignatures.sign(longSignatures.hash(message, dst), blsScalar(sk.bytes));
  return longSignatures.Signature.toBytes(point);
}

function verifier(publicKey: Uint8Array, dst: string): (message: Uint8Array, signature: Uint8Array) => boolean {
  assertPublicKey('bls12_381', publicKey);
  // decoded and checked to be in G1 once: a verifier kept per key spares that per signature
  const point = bls12_381.G1.Point.fromBytes(publicKey);
  return (message, signature) => {
    if (signature.length !== 96) return false;
    try {
      // Signature.fromBytes checks the point is in G2; verify then does the pairing check
      const sig = longSignatures.Signature.fromBytes(signature);
      return longSignatures.verify(sig, longSignatures.hash(message, dst), point);
    } catch {
      return false;
    }
  };
}

function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, dst: string): boolean {
  return verifier(publicKey, dst)(message, signature);
}

/** BLS signature (96 bytes) of the raw message bytes, not of a hash. */
export function blsSign(sk: SecretKey, message: Uint8Array): Uint8Array {
  return sign(sk, message, BLS_SIGNATURE_DST);
}

/**
 * The verifier of BLS signatures (of raw message bytes) by one public key, decoded once;
 * INVALID_ENCODING now if it is not a valid tz4 key.
 */
export function blsVerifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean {
  return verifier(publicKey, BLS_SIGNATURE_DST);
}

/** Proof of possession of a tz4 key: its own 48-byte public key signed under the POP DST. */
export function blsProveProofOfPossession(sk: SecretKey): Uint8Array {
  requireBls(sk);
  return sign(sk, derivePublicKey(sk), BLS_POP_DST);
}

export function verifyBlsProofOfPossession(publicKey: Uint8Array, proof: Uint8Array): boolean {
  return verify(publicKey, publicKey, proof, BLS_POP_DST);
}
