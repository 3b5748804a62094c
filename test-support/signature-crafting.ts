// Ways the crypto tests spoil or craft signatures, shared so that every implementation is spoiled
// alike. noble is core's dependency, so it is reached through core's node_modules (as bench does).
import { ed25519 } from '../packages/core/node_modules/@noble/curves/esm/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '../packages/core/node_modules/@noble/curves/esm/utils.js';
import { sha512 } from '../packages/core/node_modules/@noble/hashes/esm/sha2.js';

/** A copy of `bytes` with the byte at `index` XORed with `mask`. */
export const flip = (bytes: Uint8Array, index: number, mask: number) => {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] ?? 0) ^ mask;
  return out;
};

/** An Ed25519 signature with its S replaced by `s` (little-endian, 32 bytes). */
export const withS = (signature: Uint8Array, s: bigint) => Uint8Array.of(...signature.subarray(0, 32), ...numberToBytesLE(s, 32));

/** An Ed25519 signature with its R replaced by `r`. */
export const withR = (signature: Uint8Array, r: Uint8Array) => Uint8Array.of(...r, ...signature.subarray(32));

/** RFC 8032 challenge k = SHA-512(R ‖ A ‖ M) mod L, to craft adversarial Ed25519 signatures. */
export const challenge = (r: Uint8Array, a: Uint8Array, message: Uint8Array): bigint =>
  ed25519.Point.Fn.create(bytesToNumberLE(sha512(Uint8Array.of(...r, ...a, ...message))));
