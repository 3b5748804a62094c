import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { asBuffer, requireNative } from './curve-crypto.js';
import { bytesToHex } from '../encoding/hex.js';

/** SHA-256 of `bytes`. */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

/** The part of sodium-native's API used here; it takes Buffers only. */
interface LibsodiumSha256 {
  crypto_hash_sha256(output: Buffer, input: Buffer): void;
}

// FIPS 180-2, appendix B.1: SHA-256 of "abc"
const ABC = Uint8Array.of(0x61, 0x62, 0x63);
const ABC_256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

/**
 * libsodium's SHA-256 (a base58check checksum, on every signature's answer, is two of them:
 * about four times noble's), once it has given the known digest; undefined where sodium-native
 * has no binary for this platform or answers wrongly: noble's then.
 */
export function libsodiumSha256(loaded = requireNative<LibsodiumSha256>('sodium-native')): Sha256 | undefined {
  if ('unavailable' in loaded) return undefined;
  const lib = loaded.module;
  const hash: Sha256 = (bytes) => {
    const digest = new Uint8Array(32);
    lib.crypto_hash_sha256(asBuffer(digest), asBuffer(bytes));
    return digest;
  };
  try {
    return bytesToHex(hash(ABC)) === ABC_256 ? hash : undefined;
  } catch {
    return undefined;
  }
}

export const sha256: Sha256 = libsodiumSha256() ?? nobleSha256;
