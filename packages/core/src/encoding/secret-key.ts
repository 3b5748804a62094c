import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { b58cDecode, b58cEncode } from './base58.js';
import type { Curve } from '../curve.js';
import { invalidEncoding } from '../errors.js';
import { bytesToHex } from './hex.js';
import { CURVE_PREFIXES, curveOfDecoded, ENCRYPTED_SECRET_KEY_PREFIXES as ENCRYPTED_PREFIXES } from './prefixes.js';

/**
 * A plain secret key in its Tezos byte form: the 32-byte Ed25519 seed, the 32-byte big-endian
 * ECDSA scalar, or the 32-byte LITTLE-endian BLS scalar (as octez stores them).
 * Never log or print `bytes`.
 */
export interface SecretKey {
  readonly curve: Curve;
  readonly bytes: Uint8Array;
}

const SECRET_PREFIXES = ['edsk', 'edsk64', 'spsk', 'p2sk', 'BLsk'] as const;

/** The BLS scalar as a number; octez's bytes are little-endian, noble's big-endian. */
export function blsScalar(bytes: Uint8Array): bigint {
  // one BigInt from hex, not one per byte: every tz4 signature checks its key's scalar
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(Uint8Array.from(bytes).reverse())}`);
}

/** Throws INVALID_ENCODING unless `bytes` is a usable secret key of `curve`. */
export function assertSecretKey(curve: Curve, bytes: Uint8Array): void {
  const prefix = CURVE_PREFIXES[curve].secretKey;
  if (bytes.length !== 32) throw invalidEncoding(`${prefix} payload must be 32 bytes, got ${bytes.length}`);
  const valid =
    curve === 'ed25519' ||
    (curve === 'secp256k1' && secp256k1.utils.isValidSecretKey(bytes)) ||
    (curve === 'p256' && p256.utils.isValidSecretKey(bytes)) ||
    (curve === 'bls12_381' && bls12_381.fields.Fr.isValidNot0(blsScalar(bytes)));
  if (!valid) throw invalidEncoding(`${prefix} secret key is out of range for ${curve} (zero or not below the group order)`);
}

/** A plain edsk/spsk/p2sk/BLsk key (32-byte or 64-byte edsk); encrypted keys are refused. */
export function decodeSecretKey(text: string): SecretKey {
  const { prefix, payload } = b58cDecode(
    text,
    [...SECRET_PREFIXES, ...ENCRYPTED_PREFIXES],
    'an edsk/spsk/p2sk/BLsk secret key',
  );
  if ((ENCRYPTED_PREFIXES as readonly string[]).includes(prefix)) {
    throw invalidEncoding(`${prefix} is an encrypted secret key: decrypt it with its passphrase`);
  }
  const curve = curveOfDecoded(prefix, 'secretKey');
  if (prefix === 'edsk64') {
    // seed ‖ public key: keep the seed, but only if the public half really belongs to it
    const seed = payload.slice(0, 32);
    const publicHalf = payload.subarray(32);
    const derived = ed25519.getPublicKey(seed);
    if (!derived.every((byte, i) => byte === publicHalf[i])) {
      throw invalidEncoding('64-byte edsk: its public key half does not match its seed');
    }
    return { curve, bytes: seed };
  }
  assertSecretKey(curve, payload);
  return { curve, bytes: payload };
}

/** edsk (32-byte seed form)/spsk/p2sk/BLsk text. */
export function encodeSecretKey(sk: SecretKey): string {
  assertSecretKey(sk.curve, sk.bytes);
  return b58cEncode(sk.bytes, CURVE_PREFIXES[sk.curve].secretKey);
}

/** The compressed public key bytes (32/33/33/48) of a secret key. */
export function derivePublicKey(sk: SecretKey): Uint8Array {
  assertSecretKey(sk.curve, sk.bytes);
  switch (sk.curve) {
    case 'ed25519':
      return ed25519.getPublicKey(sk.bytes);
    case 'secp256k1':
      return secp256k1.getPublicKey(sk.bytes, true);
    case 'p256':
      return p256.getPublicKey(sk.bytes, true);
    case 'bls12_381':
      return bls12_381.longSignatures.getPublicKey(blsScalar(sk.bytes)).toBytes(true);
  }
}

/** A fresh random key from the platform CSPRNG. */
export function generateSecretKey(curve: Curve): SecretKey {
  switch (curve) {
    case 'ed25519':
      return { curve, bytes: ed25519.utils.randomSecretKey() };
    case 'secp256k1':
      return { curve, bytes: secp256k1.utils.randomSecretKey() };
    case 'p256':
      return { curve, bytes: p256.utils.randomSecretKey() };
    case 'bls12_381': {
      // 48 random bytes reduced mod r (no bias), big-endian out; octez wants little-endian
      const bigEndian = mapHashToField(randomBytes(48), bls12_381.fields.Fr.ORDER);
      return { curve, bytes: bigEndian.reverse() };
    }
  }
}

/**
 * A secret key as octez-client shows it (its secret_keys file, `show address --show-secret`)
 * without the `unencrypted:`/`encrypted:` scheme tag it may carry, and trimmed.
 */
export function withoutOctezKeyTag(text: string): string {
  return text.trim().replace(/^(un)?encrypted:/, '');
}
