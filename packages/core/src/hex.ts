import { invalidEncoding } from './errors.js';

const HEX = /^[0-9a-fA-F]*$/;
const DIGITS = '0123456789abcdef';

/** Strict hex: no `0x`, no spaces, even length (request bodies arrive this way). */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw invalidEncoding('hex must be a string');
  if (hex.length % 2 !== 0) throw invalidEncoding(`hex must have an even length, got ${hex.length} characters`);
  if (!HEX.test(hex)) throw invalidEncoding('hex may contain only 0-9, a-f and A-F');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Lower-case hex, as octez prints hashes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += (DIGITS[byte >> 4] ?? '') + (DIGITS[byte & 15] ?? '');
  return out;
}
