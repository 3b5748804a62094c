import { invalidEncoding } from '../errors.js';

// Every request body passes through hexToBytes, so it reads char codes through a table: a
// substring and parseInt per byte made a few kilobytes of garbage per request.
const NOT_HEX = 255;
const NIBBLE = new Uint8Array(128).fill(NOT_HEX);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;
const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

const nibbleAt = (hex: string, i: number): number => {
  const code = hex.charCodeAt(i);
  return code < 128 ? (NIBBLE[code] as number) : NOT_HEX;
};

/** Strict hex: no `0x`, no spaces, even length (request bodies arrive this way). */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw invalidEncoding('hex must be a string');
  if (hex.length % 2 !== 0) throw invalidEncoding(`hex must have an even length, got ${hex.length} characters`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = nibbleAt(hex, 2 * i);
    const low = nibbleAt(hex, 2 * i + 1);
    if (high === NOT_HEX || low === NOT_HEX) throw invalidEncoding('hex may contain only 0-9, a-f and A-F');
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

/** Lower-case hex, as octez prints hashes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += BYTE_HEX[byte] as string;
  return out;
}
