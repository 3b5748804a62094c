import { b58cDecode, b58cEncode } from './base58.js';
import type { Curve } from '../curve.js';
import { isTezsignerError } from '../errors.js';
import { CURVE_PREFIXES, curveOfDecoded } from './prefixes.js';

const ADDRESS_PREFIXES = ['tz1', 'tz2', 'tz3', 'tz4'] as const;
const WHAT = 'a tz1/tz2/tz3/tz4 address';

/** tz1/tz2/tz3/tz4 address of a 20-byte public key hash. */
export function encodeAddress(curve: Curve, hash: Uint8Array): string {
  return b58cEncode(hash, CURVE_PREFIXES[curve].address);
}

/** The curve and 20-byte hash of an implicit account address; INVALID_ENCODING otherwise. */
export function decodeAddress(address: string): { curve: Curve; hash: Uint8Array } {
  const { prefix, payload } = b58cDecode(address, ADDRESS_PREFIXES, WHAT);
  const curve = curveOfDecoded(prefix, 'address');
  return { curve, hash: payload };
}

/** The 21-byte binary form octez uses inside messages (tag 0..3, then the hash). */
export function addressToBytes(address: string): Uint8Array {
  const { curve, hash } = decodeAddress(address);
  const bytes = new Uint8Array(21);
  bytes[0] = CURVE_PREFIXES[curve].addressTag;
  bytes.set(hash, 1);
  return bytes;
}

export function isAddress(text: string): boolean {
  try {
    decodeAddress(text);
    return true;
  } catch (err) {
    if (isTezsignerError(err, 'INVALID_ENCODING')) return false;
    throw err;
  }
}
