import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAddress } from './address.js';
import { b58cDecode, b58cEncode } from './base58.js';
import { decryptSecretKey } from './encrypted-key.js';
import { isTezsignerError } from '../errors.js';
import { PREFIXES, PREFIX_NAMES } from './prefixes.js';
import { decodePublicKey } from './public-key.js';
import { decodeSecretKey } from './secret-key.js';
import { decodeSignature } from './signature.js';
import { keyVectors } from '../../../../test-support/vectors.js';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const decoders: [string, (text: string) => unknown][] = [
  ['decodeAddress', decodeAddress],
  ['decodePublicKey', decodePublicKey],
  ['decodeSecretKey', decodeSecretKey],
  ['decodeSignature', decodeSignature],
  ['decryptSecretKey', (text) => decryptSecretKey(text, 'x')],
];

/** Runs a decoder; anything but success or INVALID_ENCODING fails the property. */
function onlyInvalidEncoding(decode: (text: string) => unknown, text: string): void {
  try {
    decode(text);
  } catch (err) {
    if (!isTezsignerError(err, 'INVALID_ENCODING')) throw err;
  }
}

describe('encodings under random input', () => {
  it('round-trips a random payload of an allowed length under every prefix', () => {
    const prefixAndPayload = fc.constantFrom(...PREFIX_NAMES).chain((prefix) =>
      fc.constantFrom(...PREFIXES[prefix].lengths).chain((length) =>
        fc.tuple(fc.constant(prefix), fc.uint8Array({ minLength: length, maxLength: length })),
      ),
    );
    fc.assert(fc.property(prefixAndPayload, ([prefix, payload]) => {
      const decoded = b58cDecode(b58cEncode(payload, prefix), prefix);
      expect(decoded.prefix).toBe(prefix);
      expect([...decoded.payload]).toEqual([...payload]);
    }), { numRuns: 300 });
  });

  it.each(decoders)('%s raises only INVALID_ENCODING for arbitrary strings', (_name, decode) => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => onlyInvalidEncoding(decode, text)), { numRuns: 300 });
  });

  it.each(decoders)('%s raises only INVALID_ENCODING for arbitrary base58 text', (_name, decode) => {
    const base58 = fc.array(fc.constantFrom(...BASE58), { minLength: 1, maxLength: 150 }).map((chars) => chars.join(''));
    fc.assert(fc.property(base58, (text) => onlyInvalidEncoding(decode, text)), { numRuns: 300 });
  });

  it('refuses every one-character change of a valid key, address or public key', () => {
    const texts = keyVectors().flatMap((k) => [k.public_key_hash, k.public_key, k.secret_key]);
    const mutation = fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.constantFrom(...BASE58));
    fc.assert(fc.property(mutation, ([text, at, char]) => {
      const i = at % text.length;
      fc.pre(text[i] !== char);
      const changed = text.slice(0, i) + char + text.slice(i + 1);
      for (const [, decode] of decoders) {
        let code: string | undefined;
        try {
          decode(changed);
        } catch (err) {
          code = isTezsignerError(err) ? err.code : 'raw error';
        }
        expect(code).toBe('INVALID_ENCODING');
      }
    }), { numRuns: 200 });
  });
});
