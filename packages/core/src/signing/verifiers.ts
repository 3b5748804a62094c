import { equalBytes } from '@noble/curves/utils.js';
import { blake2b256 } from '../crypto/blake2b.js';
import type { Curve } from '../curve.js';
import type { CurveCrypto } from '../crypto/curve-crypto.js';
import { bytesToHex } from '../encoding/hex.js';
import { assertPublicKey } from '../encoding/public-key.js';

/**
 * Whether `signature` (raw bytes) is a valid signature of `bytes`, hashed as the curve needs;
 * `digest`, when the caller has it already, is BLAKE2b-256 of `bytes` (not computed again).
 */
export type SignatureVerifier = (bytes: Uint8Array, signature: Uint8Array, digest?: Uint8Array) => boolean;

// a signer verifies for its own keys and its authorized keys, both configured (a bakery's may
// be hundreds, each verified by its backend and again by the SignerService, from two arrays):
// this bounds a long-running process all the same
const DEFAULT_CAPACITY = 1024;

// An HSM's signature is verified twice in a row: by its key provider (which retries a wrong
// answer within its deadline) and by the SignerService before it answers. ECDSA verification
// costs up to a millisecond (P-256, in JS), so each key remembers its last few valid
// (digest, signature) pairs.
const RECENT_VALID_PER_KEY = 16;

function rememberingValid(verify: (digest: Uint8Array, signature: Uint8Array) => boolean): SignatureVerifier {
  const recentValid = new Set<string>();
  return (bytes, signature, digest = blake2b256(bytes)) => {
    const pair = `${bytesToHex(digest)}:${bytesToHex(signature)}`;
    if (recentValid.has(pair)) return true;
    const valid = verify(digest, signature);
    if (valid) {
      if (recentValid.size >= RECENT_VALID_PER_KEY) recentValid.delete(recentValid.values().next().value as string);
      recentValid.add(pair);
    }
    return valid;
  };
}

/**
 * One verifier per public key, made on first use and kept (the oldest dropped beyond
 * `capacity`), so what a key costs to decode, check, import or precompute is paid once, not
 * per signature. Each curve verifies on the implementation `crypto` gives it.
 */
export class PublicKeyVerifiers {
  readonly #verifiers = new Map<string, SignatureVerifier>();
  /**
   * The verifier last given for a caller's array (a signer asks with the same array each time),
   * found without hex-encoding the key; checked against a copy in case the array was reused.
   */
  readonly #byArray = new WeakMap<Uint8Array, { curve: Curve; bytes: Uint8Array; verifier: SignatureVerifier }>();
  readonly #crypto: Readonly<Record<Curve, CurveCrypto>>;
  readonly #capacity: number;

  constructor(crypto: Readonly<Record<Curve, CurveCrypto>>, capacity = DEFAULT_CAPACITY) {
    this.#crypto = crypto;
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#verifiers.size;
  }

  /** The verifier of `publicKey` (raw bytes); INVALID_ENCODING if it is not a valid key of `curve`. */
  for(curve: Curve, publicKey: Uint8Array): SignatureVerifier {
    const seen = this.#byArray.get(publicKey);
    if (seen !== undefined && seen.curve === curve && equalBytes(seen.bytes, publicKey)) return seen.verifier;
    const verifier = this.#verifierOf(curve, publicKey);
    this.#byArray.set(publicKey, { curve, bytes: Uint8Array.from(publicKey), verifier });
    return verifier;
  }

  #verifierOf(curve: Curve, publicKey: Uint8Array): SignatureVerifier {
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
    const verify = this.#crypto[curve].verifier(publicKey);
    switch (curve) {
      case 'ed25519':
        return (bytes, signature, digest = blake2b256(bytes)) => verify(digest, signature);
      case 'secp256k1':
      case 'p256':
        return rememberingValid(verify);
      case 'bls12_381':
        return (bytes, signature) => verify(bytes, signature);
    }
  }
}
