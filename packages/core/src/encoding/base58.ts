import bs58check from 'bs58check';
import { invalidEncoding } from '../errors.js';
import { base58check } from './base58-digits.js';
import { PREFIXES, PREFIX_NAMES, type PrefixName } from './prefixes.js';

const ALPHABET = /^[1-9A-HJ-NP-Za-km-z]+$/;
// The longest text we know is a BLsig (142 characters); base58 decoding is quadratic,
// so an oversized input is refused before it can cost anything.
const MAX_TEXT_LENGTH = 256;

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return data.length >= prefix.length && prefix.every((byte, i) => data[i] === byte);
}

/** Base58check of prefix ‖ payload; the payload length must be one the prefix allows. */
export function b58cEncode(payload: Uint8Array, prefix: PrefixName): string {
  const spec = PREFIXES[prefix];
  if (!(spec.lengths as readonly number[]).includes(payload.length)) {
    throw invalidEncoding(`${prefix} payload must be ${spec.lengths.join(' or ')} bytes, got ${payload.length}`);
  }
  const data = new Uint8Array(spec.bytes.length + payload.length);
  data.set(spec.bytes, 0);
  data.set(payload, spec.bytes.length);
  return base58check(data);
}

export interface B58cDecoded {
  readonly prefix: PrefixName;
  readonly payload: Uint8Array;
}

/**
 * Decodes base58check text that must carry one of the expected prefixes. Messages name the
 * problem (checksum, prefix, length) but never repeat the text, which may be a secret key.
 * `what` names the expected thing in messages, e.g. "a tz1/tz2/tz3/tz4 address".
 */
export function b58cDecode(text: string, expected: PrefixName | readonly PrefixName[], what?: string): B58cDecoded {
  const allowed: readonly PrefixName[] = typeof expected === 'string' ? [expected] : expected;
  const wanted = what ?? allowed.join('/');
  if (typeof text !== 'string' || text.length === 0) throw invalidEncoding(`expected ${wanted}, got an empty value`);
  if (text.length > MAX_TEXT_LENGTH) throw invalidEncoding(`expected ${wanted}, got ${text.length} characters of text`);
  if (!ALPHABET.test(text)) throw invalidEncoding(`expected ${wanted}: not base58 (a character outside the base58 alphabet)`);
  const data = bs58check.decodeUnsafe(text);
  if (data === undefined) throw invalidEncoding(`expected ${wanted}: bad base58 checksum`);
  const prefix = allowed.find((name) => startsWith(data, PREFIXES[name].bytes));
  if (prefix === undefined) {
    const found = PREFIX_NAMES.find((name) => startsWith(data, PREFIXES[name].bytes));
    throw invalidEncoding(`expected ${wanted}, got ${found === undefined ? 'an unknown prefix' : `prefix ${found}`}`);
  }
  const spec = PREFIXES[prefix];
  const payload = data.slice(spec.bytes.length);
  if (!(spec.lengths as readonly number[]).includes(payload.length)) {
    throw invalidEncoding(`${prefix} payload must be ${spec.lengths.join(' or ')} bytes, got ${payload.length}`);
  }
  return { prefix, payload };
}
