import bs58check from 'bs58check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base58check } from './base58-digits.js';

describe('base58check encoding', () => {
  it('writes what bs58check writes for any bytes, leading zeros and odd or even lengths included', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(fc.nat(6), fc.uint8Array({ maxLength: 80 })).map(([zeros, rest]) => Uint8Array.from([...new Array<number>(zeros).fill(0), ...rest])),
      fc.integer({ min: 1, max: 100 }).map((length) => new Uint8Array(length).fill(255)),
    );
    fc.assert(fc.property(bytes, (data) => base58check(data) === bs58check.encode(data)), { numRuns: 3000 });
  });

  it('writes each prefixed payload of a Tezos signature as bs58check does', () => {
    for (const length of [64 + 5, 64 + 3, 96 + 4, 32 + 3, 20 + 3]) {
      for (const fill of [0, 1, 57, 58, 255]) {
        const data = new Uint8Array(length).fill(fill);
        expect(base58check(data)).toBe(bs58check.encode(data));
      }
    }
  });
});
