import { watermarkRefused } from '../errors.js';
import type { StoredWatermark, WatermarkKey, WatermarkMark } from '../ports/watermark-store.js';

/**
 * The hash of a mark whose signed bytes are unknown (imported from a signer that keeps no hash:
 * octez's baker, Signatory's null): it matches no request, so even the identical request is
 * refused there, since a signature of it may already be out.
 */
export const UNKNOWN_HASH = '0'.repeat(64);

/** Orders marks lexicographically on (level, round). */
export function compareMarks(a: Pick<WatermarkMark, 'level' | 'round'>, b: Pick<WatermarkMark, 'level' | 'round'>): number {
  return a.level !== b.level ? Math.sign(a.level - b.level) : Math.sign(a.round - b.round);
}

/**
 * What to do with a request, given the stored watermark:
 * - `sign`: the mark is strictly higher; sign, then commit.
 * - `repeat`: these exact bytes were signed at this mark; answer `signature`, never sign again
 *   (an HSM with random nonces would give a second, different signature of the same block).
 */
export type WatermarkDecision = { readonly outcome: 'sign' } | { readonly outcome: 'repeat'; readonly signature: string };

/**
 * The high-watermark rule (protocol notes §4), pure so every store and the signer apply the
 * same one: strictly higher is signed; the same (level, round) with the same bytes repeats the
 * stored signature; anything else is refused with WATERMARK_REFUSED.
 */
export function checkWatermark(stored: StoredWatermark | undefined, mark: WatermarkMark): WatermarkDecision {
  if (stored === undefined) return { outcome: 'sign' };
  const order = compareMarks(mark, stored);
  if (order > 0) return { outcome: 'sign' };
  const at = `level ${mark.level} round ${mark.round}`;
  if (order === 0 && mark.hash === stored.hash) {
    if (stored.signature !== undefined) return { outcome: 'repeat', signature: stored.signature };
    throw watermarkRefused(`refusing to sign the bytes at ${at} again: they were marked without a stored signature (imported, or by an older tezsigner), so one may already be out`);
  }
  const high = `level ${stored.level} round ${stored.round}`;
  if (order === 0 && stored.hash === UNKNOWN_HASH) {
    throw watermarkRefused(`refusing to sign at ${at}: the mark there was imported without the bytes signed at it, so a signature may already be out`);
  }
  throw watermarkRefused(
    order === 0
      ? `refusing to sign different bytes at ${at}: already signed other bytes there`
      : `refusing to sign ${at}: at or below the high watermark ${high}`,
  );
}

/** Whether `mark` may be stored over `stored`: strictly above it (or nothing stored). */
export function isAbove(mark: WatermarkMark, stored: StoredWatermark | undefined): boolean {
  return stored === undefined || compareMarks(mark, stored) > 0;
}

/** A stable string naming one watermark, for maps, queues and table keys. */
export function watermarkKeyId(key: WatermarkKey): string {
  return `${key.chainId}/${key.pkh}/${key.kind}`;
}
