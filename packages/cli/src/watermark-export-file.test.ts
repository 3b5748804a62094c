import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import type { WatermarkEntry } from '@tezsigner/core';
import { parseExport, serializeExport } from './watermark-export-file.js';

const entries: WatermarkEntry[] = [
  { key: { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'block' }, watermark: { level: 5, round: 1, hash: 'ab'.repeat(32), signature: 'edsigX' } },
  { key: { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'attestation' }, watermark: { level: 4, round: 0, hash: 'cd'.repeat(32) } },
];

describe('watermarks export file', () => {
  it('writes the documented JSON and reads it back', () => {
    const text = serializeExport('file', entries);
    expect(JSON.parse(text)).toEqual({
      format: 'tezsigner-watermarks',
      version: 1,
      store: 'file',
      entries: [
        { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'block', level: 5, round: 1, hash: 'ab'.repeat(32), signature: 'edsigX' },
        { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'attestation', level: 4, round: 0, hash: 'cd'.repeat(32) },
      ],
    });
    expect(parseExport(text, 'marks.json')).toEqual(entries);
  });

  it('reads a bare list (the output of `watermarks show --json`)', () => {
    const list = JSON.stringify([{ chainId: 'NetXdQprcVkpaWU', pkh: 'tz1x', kind: 'preattestation', level: 1, round: 2, hash: 'ef'.repeat(32) }]);
    expect(parseExport(list, 'shown.json')).toEqual([
      { key: { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1x', kind: 'preattestation' }, watermark: { level: 1, round: 2, hash: 'ef'.repeat(32) } },
    ]);
  });

  it.each([
    ['a version from the future', JSON.stringify({ format: 'tezsigner-watermarks', version: 2, entries: [] }), /not a tezsigner watermarks export/],
    ['an entry that is not an object', JSON.stringify([42]), /entry 1: not an object/],
    ['an unknown kind', JSON.stringify([{ chainId: 'Net', pkh: 'tz1', kind: 'transfer', level: 1, round: 0, hash: 'ab'.repeat(32) }]), /entry 1: kind must be one of/],
    ['a fractional round', JSON.stringify([{ chainId: 'Net', pkh: 'tz1', kind: 'block', level: 1, round: 0.5, hash: 'ab'.repeat(32) }]), /entry 1: level and round/],
    ['an empty signature', JSON.stringify([{ chainId: 'Net', pkh: 'tz1', kind: 'block', level: 1, round: 0, hash: 'ab'.repeat(32), signature: '' }]), /entry 1: signature/],
  ])('refuses %s with BAD_REQUEST naming the file and entry', (_, text, message) => {
    let error: unknown;
    try {
      parseExport(text, 'marks.json');
    } catch (err) {
      error = err;
    }
    expect(isTezsignerError(error, 'BAD_REQUEST')).toBe(true);
    expect((error as Error).message).toMatch(/^marks\.json/);
    expect((error as Error).message).toMatch(message);
  });
});
