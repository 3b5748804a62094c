// The load both store suites put on a watermark store: workers each signing for their own key,
// level after level, as bakers do. Each operation is what one signature costs the store in
// SignerService: read the mark, decide (core's rule), commit it with its signature.
import { checkWatermark } from '../packages/core/src/index.js';
import type { WatermarkKey, WatermarkStore } from '../packages/core/src/index.js';
import { figures, measure, type Figures } from './measure.js';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Distinct keys, each its own watermark (and folder, or table row); not real addresses, the stores do not care. */
const keyOf = (i: number): WatermarkKey => ({
  chainId: 'NetXdQprcVkpaWU',
  pkh: `tz1StoreBench${BASE58.charAt(i % 58)}${BASE58.charAt(Math.floor(i / 58) % 58)}`,
  kind: 'attestation',
});
const hashOf = (n: number) => n.toString(16).padStart(64, '0');
/** As long as a real edsig (99 characters), so files and rows have their real size. */
const SIGNATURE = `edsig${'Bench'.repeat(19)}`;

export interface CommitLoad {
  readonly workers: number;
  /** worker w signs for key number `firstKey + w`: give every case keys of its own */
  readonly firstKey: number;
  readonly seconds: number;
}

/**
 * Times each read + commit under `load`. `stores[level % stores.length]` serves each level, so
 * two stores take turns as two signer instances behind one address would.
 */
export async function measureCommits(stores: readonly WatermarkStore[], load: CommitLoad): Promise<Figures> {
  const keys = Array.from({ length: load.workers }, (_, w) => keyOf(load.firstKey + w));
  const sample = await measure(load.workers, load.seconds, async (worker, level) => {
    const key = keys[worker] as WatermarkKey;
    const store = stores[level % stores.length] as WatermarkStore;
    const mark = { level, round: 0, hash: hashOf(level) };
    const decision = checkWatermark(await store.read(key), mark);
    if (decision.outcome !== 'sign') throw new Error(`expected to sign at level ${level}, got ${decision.outcome}`);
    const result = await store.commit(key, { ...mark, signature: SIGNATURE });
    if (!result.committed) throw new Error(`expected a commit at level ${level}, the store holds level ${result.stored.level}`);
  });
  return figures(sample);
}
