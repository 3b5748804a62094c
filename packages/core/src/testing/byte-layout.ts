// Writers of the few binary fields consensus requests are made of (Data_encoding as octez writes
// them: big-endian integers, fixed-length hashes), for the request builders.
import { badRequest } from '../errors.js';
import { b58cDecode } from '../encoding/base58.js';
import type { PrefixName } from '../encoding/prefixes.js';

const HASH_LENGTH = 32;
const INT32_MAX = 0x7fffffff;

export function int32(value: number, what: string): Uint8Array {
  if (!Number.isInteger(value) || value < -INT32_MAX - 1 || value > INT32_MAX) throw badRequest(`${what} must be a 32-bit integer, got ${value}`);
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
}

/** A level or round, checked: a 32-bit integer, never negative (octez refuses those). */
export function position(value: number, what: string): number {
  int32(value, what);
  if (value < 0) throw badRequest(`${what} must not be negative, got ${value}`);
  return value;
}

export const positionBytes = (value: number, what: string): Uint8Array => int32(position(value, what), what);

export function uint(value: number, bytes: 1 | 2, what: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * bytes)) throw badRequest(`${what} must be an integer from 0 to ${2 ** (8 * bytes) - 1}, got ${value}`);
  return bytes === 1 ? Uint8Array.of(value) : Uint8Array.of(value >> 8, value & 0xff);
}

export function int64(value: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(value)) throw badRequest(`${what} must be an integer, got ${value}`);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value));
  return bytes;
}

/** Exactly `length` bytes given as such: a copy, so the caller's buffer is not shared. */
export function fixed(value: Uint8Array, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) throw badRequest(`${what} must be ${length} bytes`);
  return Uint8Array.from(value);
}

/** A 32-byte hash given as base58 text with `prefix` or as its bytes; zeros when absent. */
export function hash32(value: string | Uint8Array | undefined, prefix: PrefixName | undefined, what: string): Uint8Array {
  if (value === undefined) return new Uint8Array(HASH_LENGTH);
  if (typeof value !== 'string') return fixed(value, HASH_LENGTH, what);
  if (prefix === undefined) throw badRequest(`${what} must be given as ${HASH_LENGTH} bytes`);
  return b58cDecode(value, prefix, `${what} (${prefix}…)`).payload;
}

/** Data_encoding's z of a non-negative integer: 6 bits and the sign in the first byte, then 7 a byte. */
export function naturalAsZ(value: bigint, what: string): Uint8Array {
  if (value < 0n) throw badRequest(`${what} must not be negative, got ${value}`);
  const out = [Number(value & 0x3fn)];
  let rest = value >> 6n;
  while (rest > 0n) {
    out[out.length - 1] = (out.at(-1) as number) | 0x80;
    out.push(Number(rest & 0x7fn));
    rest >>= 7n;
  }
  return Uint8Array.from(out);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A 4-byte length, then the bytes (Data_encoding's dynamic size). */
export const sized = (bytes: Uint8Array): Uint8Array => concat([int32(bytes.length, 'a length'), bytes]);
