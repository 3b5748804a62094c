// The load both store suites put on a watermark store: workers each advancing their own key,
// level after level, as bakers do (every operation a real advance, the common case).
import type { WatermarkKey, WatermarkStore } from '../packages/core/src/index.js';
import { figures, measure, type Figures } from './measure.js';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Distinct keys, each its own watermark (and file, or table row); not real addresses, the stores do not care. */
const keyOf = (i: number): WatermarkKey => ({
  chainId: 'NetXdQprcVkpaWU',
  pkh: `tz1StoreBench${BASE58.charAt(i % 58)}${BASE58.charAt(Math.floor(i / 58) % 58)}`,
  kind: 'attestation',
});
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

export interface AdvanceLoad {
  readonly workers: number;
  /** worker w advances key number `firstKey + w`: give every case keys of its own */
  readonly firstKey: number;
  readonly seconds: number;
  /** record a signature after each advance too: all a signature costs the store */
  readonly withRecord?: boolean;
}

/**
 * Times each advance (and record) under `load`. `stores[level % stores.length]` serves each
 * level, so two stores take turns as two signer instances behind one address would.
 */
export async function measureAdvances(stores: readonly WatermarkStore[], load: AdvanceLoad): Promise<Figures> {
  const keys = Array.from({ length: load.workers }, (_, w) => keyOf(load.firstKey + w));
  const sample = await measure(load.workers, load.seconds, async (worker, level) => {
    const key = keys[worker] as WatermarkKey;
    const store = stores[level % stores.length] as WatermarkStore;
    const mark = { level, round: 0, hash: hashOf(level) };
    const result = await store.checkAndAdvance(key, mark);
    if (load.withRecord === true) await store.record(key, mark, 'edsigBenchmark');
    if (result.outcome !== 'advanced') throw new Error(`expected an advance at level ${level}, got ${result.outcome}`);
  });
  return figures(sample);
}
