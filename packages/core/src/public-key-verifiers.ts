import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b256 } from './blake2b.js';
import { blsVerifier } from './bls.js';
import type { Curve } from './curve.js';
import { ECDSA, type EcdsaCurve } from './ecdsa.js';
import type { Ed25519KeyVerifier, Ed25519Verifiers } from './ed25519-native.js';
import { bytesToHex } from './hex.js';
import { assertPublicKey } from './public-key.js';

/** Whether `signature` (raw bytes) is a valid signature of `bytes`, hashed as the curve needs. */
export type SignatureVerifier = (bytes: Uint8Array, signature: Uint8Array) => boolean;

// a signer verifies for its own few keys and its authorized keys: this bounds a long-running process all the same
const DEFAULT_CAPACITY = 256;

const nobleEd25519 =
  (publicKey: Uint8Array): Ed25519KeyVerifier =>
  (message, signature) =>
    ed25519.verify(signature, message, publicKey, { zip215: false });

function ed25519Verifier(publicKey: Uint8Array, native: Ed25519Verifiers | undefined): SignatureVerifier {
  const verify = native === undefined ? nobleEd25519(publicKey) : native(publicKey);
  return (bytes, signature) => {
    if (signature.length !== 64) return false;
    try {
      return verify(blake2b256(bytes), signature);
    } catch {
      return false;
    }
  };
}

// An HSM's signature is verified twice in a row: by its key provider (which retries a wrong
// answer within its deadline) and by the SignerService before it answers. ECDSA verification
// costs milliseconds in JS, so each key remembers its last few valid (digest, signature) pairs.
const RECENT_VALID_PER_KEY = 16;

function ecdsaVerifier(curve: EcdsaCurve, publicKey: Uint8Array): SignatureVerifier {
  // noble's verify decodes the key it is given on every call; the uncompressed form of the same
  // point spares it the square root that recovers y (it still checks the point is on the curve)
  const uncompressed = ECDSA[curve].Point.fromBytes(publicKey).toBytes(false);
  const recentValid = new Set<string>();
  return (bytes, signature) => {
    if (signature.length !== 64) return false;
    const digest = blake2b256(bytes);
    const pair = `${bytesToHex(digest)}:${bytesToHex(signature)}`;
    if (recentValid.has(pair)) return true;
    let valid: boolean;
    try {
      // like octez: the high-S twin of a valid signature is refused
      valid = ECDSA[curve].verify(signature, digest, uncompressed, { lowS: true, prehash: false, format: 'compact' });
    } catch {
      return false;
    }
    if (valid) {
      if (recentValid.size >= RECENT_VALID_PER_KEY) recentValid.delete(recentValid.values().next().value as string);
      recentValid.add(pair);
    }
    return valid;
  };
}

/**
 * One verifier per public key, made on first use and kept (the oldest dropped beyond
 * `capacity`), so what a key costs to decode, check and import is paid once, not per signature.
 * Ed25519 goes to `nativeEd25519` when given, else to noble (strict, RFC 8032).
 */
export class PublicKeyVerifiers {
  readonly #verifiers = new Map<string, SignatureVerifier>();
  readonly #nativeEd25519: Ed25519Verifiers | undefined;
  readonly #capacity: number;

  constructor(nativeEd25519: Ed25519Verifiers | undefined, capacity = DEFAULT_CAPACITY) {
    this.#nativeEd25519 = nativeEd25519;
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#verifiers.size;
  }

  /** The verifier of `publicKey` (raw bytes); INVALID_ENCODING if it is not a valid key of `curve`. */
  for(curve: Curve, publicKey: Uint8Array): SignatureVerifier {
    const id = `${curve}:${bytesToHex(publicKey)}`;
    const known = this.#verifiers.get(id);
    if (known !== undefined) return known;
    assertPublicKey(curve, publicKey);
    // our own copy: the caller may reuse its array for another key, the cached verifier must not follow
    const verifier = this.#make(curve, Uint8Array.from(publicKey));
    if (this.#verifiers.size >= this.#capacity) {
      const oldest = this.#verifiers.keys().next();
      if (oldest.done !== true) this.#verifiers.delete(oldest.value);
    }
    this.#verifiers.set(id, verifier);
    return verifier;
  }

  #make(curve: Curve, publicKey: Uint8Array): SignatureVerifier {
    switch (curve) {
      case 'ed25519':
        return ed25519Verifier(publicKey, this.#nativeEd25519);
      case 'secp256k1':
      case 'p256':
        return ecdsaVerifier(curve, publicKey);
      case 'bls12_381':
        return blsVerifier(publicKey);
    }
  }
}
