import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '../errors.js';
import type { StoredWatermark, WatermarkMark } from '../ports/watermark-store.js';
import { UNKNOWN_HASH, checkWatermark, compareMarks, isAbove, watermarkKeyId } from './marks.js';

// Small ranges so random sequences often hit equal levels and rounds.
const markArb = fc.record({ level: fc.integer({ min: 0, max: 6 }), round: fc.integer({ min: 0, max: 3 }), hash: fc.constantFrom('aa', 'bb', 'cc') });
const storedArb: fc.Arbitrary<StoredWatermark> = fc.record(
  { level: fc.integer({ min: 0, max: 6 }), round: fc.integer({ min: 0, max: 3 }), hash: fc.constantFrom('aa', 'bb', 'cc'), signature: fc.constantFrom('edsigA', 'edsigB') },
  { requiredKeys: ['level', 'round', 'hash'] },
);

/** (level, round) order written out for the test, independent of compareMarks. */
const higher = (a: WatermarkMark, b: WatermarkMark) => a.level > b.level || (a.level === b.level && a.round > b.round);
const samePosition = (a: WatermarkMark, b: WatermarkMark) => a.level === b.level && a.round === b.round;

function outcome(stored: StoredWatermark | undefined, mark: WatermarkMark) {
  try {
    return checkWatermark(stored, mark);
  } catch (err) {
    if (isTezsignerError(err, 'WATERMARK_REFUSED')) return 'refused' as const;
    throw err;
  }
}

describe('checkWatermark', () => {
  it('always lets a strictly higher mark through, and the first mark', () => {
    fc.assert(
      fc.property(fc.option(storedArb, { nil: undefined }), markArb, (stored, mark) => {
        fc.pre(stored === undefined || higher(mark, stored));
        expect(outcome(stored, mark)).toEqual({ outcome: 'sign' });
      }),
    );
  });

  it('never lets a lower mark through', () => {
    fc.assert(
      fc.property(storedArb, markArb, (stored, mark) => {
        fc.pre(higher(stored, mark));
        expect(outcome(stored, mark)).toBe('refused');
      }),
    );
  });

  it('never lets other bytes through at the same (level, round)', () => {
    fc.assert(
      fc.property(storedArb, markArb, (stored, mark) => {
        fc.pre(samePosition(stored, mark) && stored.hash !== mark.hash);
        expect(outcome(stored, mark)).toBe('refused');
      }),
    );
  });

  it('answers the same bytes with the stored signature, and refuses them when none was kept', () => {
    fc.assert(
      fc.property(storedArb, (stored) => {
        const expected = stored.signature === undefined ? 'refused' : { outcome: 'repeat', signature: stored.signature };
        expect(outcome(stored, { level: stored.level, round: stored.round, hash: stored.hash })).toEqual(expected);
      }),
    );
  });

  it('over any sequence, signs strictly increasing positions and never two byte strings at one position', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(markArb, fc.boolean()), { maxLength: 60 }), (steps) => {
        let stored: StoredWatermark | undefined;
        const signedAt = new Map<string, string>();
        let last: WatermarkMark | undefined;
        for (const [mark, recordSignature] of steps) {
          const result = outcome(stored, mark);
          if (result === 'refused') continue;
          const position = `${mark.level}/${mark.round}`;
          if (result.outcome === 'sign') {
            if (last !== undefined) expect(higher(mark, last)).toBe(true);
            last = mark;
            stored = recordSignature ? { ...mark, signature: `sig-${mark.hash}` } : { ...mark };
          }
          // whatever is answered at a position, it is for the same bytes every time
          expect(signedAt.get(position) ?? mark.hash).toBe(mark.hash);
          signedAt.set(position, mark.hash);
          if (result.outcome === 'repeat') expect(result.signature).toBe(`sig-${mark.hash}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names both positions when it refuses', () => {
    expect(() => checkWatermark({ level: 5, round: 2, hash: 'aa' }, { level: 5, round: 1, hash: 'bb' })).toThrow(
      /refusing to sign level 5 round 1: at or below the high watermark level 5 round 2/,
    );
    expect(() => checkWatermark({ level: 5, round: 2, hash: 'aa' }, { level: 5, round: 2, hash: 'bb' })).toThrow(/different bytes at level 5 round 2/);
  });

  it('refuses every request at a mark imported without its bytes, saying so, and signs above it', () => {
    const imported = { level: 5, round: 2, hash: UNKNOWN_HASH };
    expect(UNKNOWN_HASH).toMatch(/^0{64}$/);
    expect(() => checkWatermark(imported, { level: 5, round: 2, hash: 'bb' })).toThrow(/refusing to sign at level 5 round 2: the mark there was imported without the bytes signed at it/);
    expect(() => checkWatermark(imported, { level: 5, round: 1, hash: 'bb' })).toThrow(/at or below the high watermark level 5 round 2/);
    expect(checkWatermark(imported, { level: 5, round: 3, hash: 'bb' })).toEqual({ outcome: 'sign' });
  });
});

describe('isAbove', () => {
  it('holds only for a strictly higher (level, round), whatever the bytes', () => {
    const stored = { level: 5, round: 2, hash: 'aa', signature: 'edsigA' };
    expect(isAbove({ level: 5, round: 3, hash: 'aa' }, stored)).toBe(true);
    expect(isAbove({ level: 6, round: 0, hash: 'bb' }, stored)).toBe(true);
    expect(isAbove({ level: 5, round: 2, hash: 'aa' }, stored)).toBe(false);
    expect(isAbove({ level: 5, round: 2, hash: 'bb' }, stored)).toBe(false);
    expect(isAbove({ level: 4, round: 9, hash: 'bb' }, stored)).toBe(false);
    expect(isAbove({ level: 0, round: 0, hash: 'bb' }, undefined)).toBe(true);
  });
});

describe('compareMarks and watermarkKeyId', () => {
  it('orders on level first, then round', () => {
    expect(compareMarks({ level: 2, round: 0 }, { level: 1, round: 9 })).toBe(1);
    expect(compareMarks({ level: 1, round: 1 }, { level: 1, round: 2 })).toBe(-1);
    expect(compareMarks({ level: 3, round: 3 }, { level: 3, round: 3 })).toBe(0);
  });

  it('names each (chain, key, kind) differently', () => {
    const key = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'block' as const };
    const ids = new Set([
      watermarkKeyId(key),
      watermarkKeyId({ ...key, kind: 'attestation' }),
      watermarkKeyId({ ...key, chainId: 'NetXnHfVqm9iesp' }),
      watermarkKeyId({ ...key, pkh: 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt' }),
    ]);
    expect(ids.size).toBe(4);
  });
});
