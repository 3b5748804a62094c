import { blake2b } from '@noble/hashes/blake2.js';

/** What Ed25519 and ECDSA keys sign, and the hash a watermark records. */
export function blake2b256(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 });
}

/** The 20-byte public key hash behind a tz1/tz2/tz3/tz4 address. */
export function blake2b160(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 20 });
}
