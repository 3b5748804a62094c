import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import type { WatermarkKey } from '@tezsigner/core';
import { fromRow, rowKeys, toRow } from './entity.js';

const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'legacy_endorsement' };
const hash = '0123456789abcdef'.repeat(4);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return isTezsignerError(err) ? err.code : `raw ${String(err)}`;
  }
  return undefined;
}

describe('rowKeys', () => {
  it('partitions by key hash and names the row by chain and kind', () => {
    expect(rowKeys(key)).toEqual({ partitionKey: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', rowKey: 'NetXdQprcVkpaWU.legacy_endorsement' });
  });

  it.each([
    ['a slash in the chain id', { ...key, chainId: 'Net/x' }],
    ['a # in the key hash', { ...key, pkh: 'tz1#' }],
    ['a 0 (not base58)', { ...key, pkh: 'tz10' }],
    ['an empty chain id', { ...key, chainId: '' }],
    ['an unknown kind', { ...key, kind: 'operation' as WatermarkKey['kind'] }],
  ])('refuses keys that are not Table-legal base58: %s', (_, bad) => {
    expect(codeOf(() => rowKeys(bad))).toBe('BAD_REQUEST');
  });
});

describe('toRow / fromRow', () => {
  it('writes the documented columns and reads them back', () => {
    const row = toRow(key, { level: 7, round: 2, hash, signature: 'edsigXYZ' });
    expect(row).toEqual({
      partitionKey: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx',
      rowKey: 'NetXdQprcVkpaWU.legacy_endorsement',
      FormatVersion: 1,
      ChainId: 'NetXdQprcVkpaWU',
      Pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx',
      Kind: 'legacy_endorsement',
      Level: 7,
      Round: 2,
      Hash: hash,
      Signature: 'edsigXYZ',
    });
    expect(fromRow({ ...row })).toEqual({ key, watermark: { level: 7, round: 2, hash, signature: 'edsigXYZ' } });
  });

  it('omits the signature column until there is one', () => {
    const row = toRow(key, { level: 1, round: 0, hash });
    expect('Signature' in row).toBe(false);
    expect(fromRow({ ...row }).watermark).toEqual({ level: 1, round: 0, hash });
  });

  it.each([
    ['a negative level', { level: -1, round: 0, hash }],
    ['a fractional round', { level: 1, round: 0.5, hash }],
    ['a level past int32', { level: 2 ** 31, round: 0, hash }],
    ['a short hash', { level: 1, round: 0, hash: 'abcd' }],
  ])('refuses to write %s', (_, mark) => {
    expect(codeOf(() => toRow(key, mark))).toBe('BAD_REQUEST');
  });

  const good = toRow(key, { level: 3, round: 1, hash });
  it.each([
    ['an unknown format version', { ...good, FormatVersion: 2 }],
    ['a missing level', { ...good, Level: undefined }],
    ['a string round', { ...good, Round: '1' }],
    ['a bad hash', { ...good, Hash: 'zz' }],
    ['an empty signature', { ...good, Signature: '' }],
    ['a kind that is not a watermark kind', { ...good, Kind: 'operation' }],
    ['properties that disagree with the RowKey', { ...good, ChainId: 'NetXnHfVqm9iesp' }],
    ['properties that disagree with the PartitionKey', { ...good, partitionKey: 'tz1other' }],
  ])('reads %s as STORE_CORRUPT, never as absent', (_, entity) => {
    expect(codeOf(() => fromRow(entity as Record<string, unknown>))).toBe('STORE_CORRUPT');
  });
});
