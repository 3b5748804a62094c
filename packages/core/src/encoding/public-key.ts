import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { encodeAddress } from './address.js';
import { b58cDecode, b58cEncode } from './base58.js';
import { bytesToHex } from './hex.js';
import { blake2b160 } from '../crypto/blake2b.js';
import type { Curve } from '../curve.js';
import { invalidEncoding } from '../errors.js';
import { CURVE_PREFIXES, curveOfDecoded } from './prefixes.js';

const PUBLIC_KEY_PREFIXES = ['edpk', 'sppk', 'p2pk', 'BLpk'] as const;

function decodePoint(curve: Curve, bytes: Uint8Array): { is0(): boolean } {
  switch (curve) {
    case 'ed25519':
      // strict RFC 8032 decoding: a non-canonical encoding would give two addresses for one key
      return ed25519.Point.fromBytes(bytes, false);
    case 'secp256k1':
      return secp256k1.Point.fromBytes(bytes);
    case 'p256':
      return p256.Point.fromBytes(bytes);
    case 'bls12_381': {
      // also checks the point is in the prime-order subgroup (rogue keys are not)
      const point = bls12_381.G1.Point.fromBytes(bytes);
      // noble also reads an x ≥ p (taken mod p) or a cleared compression flag, which octez (blst)
      // refuses: one key would have several encodings, and so several tz4 addresses
      if (!point.is0() && !point.toBytes(true).every((byte, i) => byte === bytes[i])) throw new Error('not the canonical encoding');
      return point;
    }
  }
}

/**
 * Keys found valid, by curve and bytes (never by array: the caller's may change). Decoding a
 * point takes a square root, 0.2–0.3 ms in JS, and a key's first use checks it three times
 * (its text decoded, its address computed, its verifier made): a bakery's hundreds of keys
 * paid that in the middle of a level. A valid key stays valid; the oldest verdicts go first.
 */
const VALID_KEYS_KEPT = 4096;
const validKeys = new Set<string>();

/**
 * Throws INVALID_ENCODING unless `bytes` is a valid compressed public key of `curve`:
 * right length, on the curve, and (BLS) in the subgroup and not the identity.
 */
export function assertPublicKey(curve: Curve, bytes: Uint8Array): void {
  const { publicKey, publicKeyLength } = CURVE_PREFIXES[curve];
  if (bytes.length !== publicKeyLength) {
    throw invalidEncoding(`${publicKey} payload must be ${publicKeyLength} bytes, got ${bytes.length}`);
  }
  const id = `${curve}:${bytesToHex(bytes)}`;
  if (validKeys.has(id)) return;
  let identity: boolean;
  try {
    identity = decodePoint(curve, bytes).is0();
  } catch {
    throw invalidEncoding(`${publicKey} public key is not a valid ${curve} point`);
  }
  if (identity) throw invalidEncoding(`${publicKey} public key is the identity point`);
  if (validKeys.size >= VALID_KEYS_KEPT) validKeys.delete(validKeys.values().next().value as string);
  validKeys.add(id);
}

export function encodePublicKey(curve: Curve, bytes: Uint8Array): string {
  assertPublicKey(curve, bytes);
  return b58cEncode(bytes, CURVE_PREFIXES[curve].publicKey);
}

/** edpk/sppk/p2pk/BLpk text to its curve and validated key bytes. */
export function decodePublicKey(text: string): { curve: Curve; bytes: Uint8Array } {
  const { prefix, payload } = b58cDecode(text, PUBLIC_KEY_PREFIXES, 'an edpk/sppk/p2pk/BLpk public key');
  const curve = curveOfDecoded(prefix, 'publicKey');
  assertPublicKey(curve, payload);
  return { curve, bytes: payload };
}

/** The tz1/tz2/tz3/tz4 address of a public key: BLAKE2b-160 of its bytes. */
export function publicKeyHash(curve: Curve, publicKey: Uint8Array): string {
  assertPublicKey(curve, publicKey);
  return encodeAddress(curve, blake2b160(publicKey));
}
