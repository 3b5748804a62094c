import { equalBytes } from '@noble/curves/utils.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { asBuffer, requireNative } from './curve-crypto.js';
import { bytesToHex } from '../encoding/hex.js';

/** BLAKE2b of `bytes`, `length` bytes long (16 to 64). */
export type Blake2b = (bytes: Uint8Array, length: number) => Uint8Array;

/** The part of sodium-native's API used here; it takes Buffers only. */
interface LibsodiumHash {
  crypto_generichash(output: Buffer, input: Buffer): void;
}

const nobleBlake2b: Blake2b = (bytes, length) => blake2b(bytes, { dkLen: length });

// RFC 7693's BLAKE2b of "abc", 64 bytes; libsodium's digests of other lengths are checked against
// noble's, since BLAKE2b's length is a parameter of the hash, not a truncation
const ABC = Uint8Array.of(0x61, 0x62, 0x63);
const ABC_512 = 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923';

/**
 * libsodium's BLAKE2b (about fourteen times noble's on a block's bytes, and it hashes every
 * request), once it has given the known digests; undefined where sodium-native has no binary
 * for this platform or answers wrongly: noble's then.
 */
export function libsodiumBlake2b(loaded = requireNative<LibsodiumHash>('sodium-native')): Blake2b | undefined {
  if ('unavailable' in loaded) return undefined;
  const lib = loaded.module;
  const hash: Blake2b = (bytes, length) => {
    const digest = new Uint8Array(length);
    lib.crypto_generichash(asBuffer(digest), asBuffer(bytes));
    return digest;
  };
  try {
    const known = bytesToHex(hash(ABC, 64)) === ABC_512;
    return known && equalBytes(hash(ABC, 32), nobleBlake2b(ABC, 32)) && equalBytes(hash(ABC, 20), nobleBlake2b(ABC, 20)) ? hash : undefined;
  } catch {
    return undefined;
  }
}

const BLAKE2B = libsodiumBlake2b() ?? nobleBlake2b;

/** What Ed25519 and ECDSA keys sign, and the hash a watermark records. */
export function blake2b256(bytes: Uint8Array): Uint8Array {
  return BLAKE2B(bytes, 32);
}

/** The 20-byte public key hash behind a tz1/tz2/tz3/tz4 address. */
export function blake2b160(bytes: Uint8Array): Uint8Array {
  return BLAKE2B(bytes, 20);
}
