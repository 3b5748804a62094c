import { watermarkRefused } from './errors.js';
import type { CheckResult, StoredWatermark, WatermarkKey, WatermarkMark } from './ports/watermark-store.js';

/** Orders marks lexicographically on (level, round). */
export function compareMarks(a: Pick<WatermarkMark, 'level' | 'round'>, b: Pick<WatermarkMark, 'level' | 'round'>): number {
  return a.level !== b.level ? Math.sign(a.level - b.level) : Math.sign(a.round - b.round);
}

/**
 * Whether two marks are the same position with the same bytes: a store attaches a signature
 * (`record`) only to the mark it was made for, never to one that has moved on since.
 */
export function sameMark(a: WatermarkMark, b: WatermarkMark): boolean {
  return a.level === b.level && a.round === b.round && a.hash === b.hash;
}

/**
 * The high-watermark rule (protocol notes §4), pure so every store applies the same one:
 * strictly higher advances; the same (level, round) with the same bytes repeats the stored
 * answer; anything else is refused with WATERMARK_REFUSED.
 */
export function checkWatermark(stored: StoredWatermark | undefined, mark: WatermarkMark): CheckResult {
  if (stored === undefined) return { outcome: 'advanced' };
  const order = compareMarks(mark, stored);
  if (order > 0) return { outcome: 'advanced' };
  if (order === 0 && mark.hash === stored.hash) {
    return stored.signature === undefined ? { outcome: 'resign' } : { outcome: 'repeat', signature: stored.signature };
  }
  const at = `level ${mark.level} round ${mark.round}`;
  const high = `level ${stored.level} round ${stored.round}`;
  throw watermarkRefused(
    order === 0
      ? `refusing to sign different bytes at ${at}: already signed other bytes there`
      : `refusing to sign ${at}: at or below the high watermark ${high}`,
  );
}

/** A stable string naming one watermark, for maps, locks and table keys. */
export function watermarkKeyId(key: WatermarkKey): string {
  return `${key.chainId}/${key.pkh}/${key.kind}`;
}
