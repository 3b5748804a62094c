import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '../errors.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { keyVectors } from '../../../../test-support/vectors.js';

describe('hex', () => {
  it('decodes and re-encodes every hex field of keys.json', () => {
    for (const key of keyVectors()) {
      for (const hex of [key.secret_key_hex, key.public_key_hex, key.public_key_hash_hex]) {
        const bytes = hexToBytes(hex);
        expect(bytes.length).toBe(hex.length / 2);
        expect(bytesToHex(bytes)).toBe(hex);
      }
    }
  });

  it('reads known bytes, upper or lower case, and writes lower case', () => {
    expect([...hexToBytes('00ff7F80')]).toEqual([0, 255, 127, 128]);
    expect(bytesToHex(Uint8Array.of(0, 255, 127, 128, 1))).toBe('00ff7f8001');
    expect(hexToBytes('').length).toBe(0);
    expect(bytesToHex(new Uint8Array())).toBe('');
  });

  it.each([
    ['odd length', 'abc', /even length/],
    ['a non-hex character', '0g', /only 0-9/],
    ['a 0x prefix', '0x00', /only 0-9/],
    ['spaces', '00 11', /only 0-9|even length/],
  ])('refuses %s with INVALID_ENCODING', (_what, input, message) => {
    let error: unknown;
    try {
      hexToBytes(input);
    } catch (err) {
      error = err;
    }
    expect(isTezsignerError(error, 'INVALID_ENCODING')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('hex properties', () => {
  it('round-trips any bytes, and refuses any odd-length text', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect([...hexToBytes(bytesToHex(bytes))]).toEqual([...bytes]);
      expect(hexToBytes(bytesToHex(bytes).toUpperCase())).toEqual(hexToBytes(bytesToHex(bytes)));
    }));
    fc.assert(fc.property(fc.string().filter((s) => s.length % 2 === 1), (text) => {
      expect(() => hexToBytes(text)).toThrow(/even length/);
    }));
  });

  it('reads what Node reads from valid hex, and refuses any even-length text with a non-hex character', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, upper) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(Buffer.from(hexToBytes(upper ? hex.toUpperCase() : hex))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s.length % 2 === 0 && !/^[0-9a-fA-F]*$/.test(s)), (text) => {
        expect(() => hexToBytes(text)).toThrow(/only 0-9/);
      }),
      { numRuns: 2000 },
    );
  });
});
