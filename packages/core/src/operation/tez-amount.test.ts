import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { formatTez, parseTez } from './tez-amount.js';

describe('formatTez', () => {
  it.each([
    [0n, '0 ꜩ'],
    [1n, '0.000001 ꜩ'],
    [1400n, '0.0014 ꜩ'],
    [1_000_000n, '1 ꜩ'],
    [12_500_000n, '12.5 ꜩ'],
    [10_000_010n, '10.00001 ꜩ'],
    // beyond 2^53 mutez, where a float would round
    [9_007_199_254_740_993n, '9007199254.740993 ꜩ'],
    [2n ** 70n - 1n, '1180591620717411.303423 ꜩ'],
    [-1_500_000n, '-1.5 ꜩ'],
  ])('%s mutez is %s', (mutez, text) => {
    expect(formatTez(mutez)).toBe(text);
  });

  it('writes every amount exactly: its digits are the mutez digits with a point six places from the right', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), (mutez) => {
        const [whole = '', fraction = ''] = formatTez(mutez).replace(' ꜩ', '').split('.');
        expect(BigInt(whole + fraction.padEnd(6, '0'))).toBe(mutez);
        expect(fraction).not.toMatch(/0$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseTez', () => {
  it.each([
    ['0', 0n],
    ['12.5', 12_500_000n],
    ['0.0014', 1400n],
    ['0.000001', 1n],
    [' 100 ', 100_000_000n],
    ['9007199254.740993', 9_007_199_254_740_993n],
  ])('%j tez is %s mutez', (text, mutez) => {
    expect(parseTez(text)).toBe(mutez);
  });

  it.each(['', '1.0000001', '-1', '1e6', '.5', '5.', '1,5', 'ten', '0x10'])('refuses %j', (text) => {
    expect(thrownMessage('INVALID_ENCODING', () => parseTez(text))).toContain('expected an amount of tez');
  });
});
