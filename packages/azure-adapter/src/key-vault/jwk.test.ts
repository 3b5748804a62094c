import { isTezsignerError } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { azureKeyVectors } from '../../../../test-support/vectors.js';
import { compressJwkPoint } from './jwk.js';

test('compresses the JWK points of the two real vault keys as the vectors say', () => {
  const vectors = azureKeyVectors();
  expect(vectors).toHaveLength(2);
  for (const v of vectors) {
    const compressed = compressJwkPoint(Buffer.from(v.x, 'base64url'), Buffer.from(v.y, 'base64url'));
    expect(Buffer.from(compressed).toString('hex')).toBe(v.compressed_hex);
  }
});

test('takes the prefix from the parity of y (02 even, 03 odd)', () => {
  const x = new Uint8Array(32).fill(7);
  const even = new Uint8Array(32).fill(2);
  const odd = Uint8Array.from(even, (b, i) => (i === 31 ? 3 : b));
  expect(compressJwkPoint(x, even)[0]).toBe(0x02);
  expect(compressJwkPoint(x, odd)[0]).toBe(0x03);
  expect(compressJwkPoint(x, odd).subarray(1)).toEqual(x);
});

test('refuses coordinates that are not 32 bytes with INVALID_ENCODING', () => {
  for (const [x, y] of [
    [new Uint8Array(31), new Uint8Array(32)],
    [new Uint8Array(32), new Uint8Array(48)],
    [undefined, new Uint8Array(32)],
  ] as const) {
    let caught: unknown;
    try {
      compressJwkPoint(x, y);
    } catch (err) {
      caught = err;
    }
    expect(isTezsignerError(caught, 'INVALID_ENCODING')).toBe(true);
  }
});
