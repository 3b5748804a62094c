import { b58cEncode } from '@tezsigner/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainIdOfShort } from './short-chain-id.js';

describe('chainIdOfShort', () => {
  it('finds mainnet and ghostnet from the 13 characters octez names their baker files with', () => {
    expect(chainIdOfShort('NetXdQprcVkpa')).toBe('NetXdQprcVkpaWU');
    expect(chainIdOfShort('NetXnHfVqm9ie')).toBe('NetXnHfVqm9iesp');
  });

  it('finds any chain id from its first 13 characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const chainId = b58cEncode(bytes, 'Net');
        expect(chainIdOfShort(chainId.slice(0, 13))).toBe(chainId);
      }),
      { seed: 36, numRuns: 300 },
    );
  });

  it('finds nothing where no chain id begins so, or the text is no short chain id', () => {
    expect(chainIdOfShort('NetXdQprcVkpb')).toBeUndefined();
    expect(chainIdOfShort('NetXdQprcVkp')).toBeUndefined();
    expect(chainIdOfShort('BLockGenesisG')).toBeUndefined();
  });
});
