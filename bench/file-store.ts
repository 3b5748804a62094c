// The file watermark store's check-and-advance (lock, read, rule, temp file + fsync + rename +
// folder fsync, unlock): one key in sequence, then 16 keys at once, then the full signing-path
// cost (advance + record of the signature), all with real fsyncs on this machine's disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatermarkKey } from '../packages/core/src/index.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';

const SECONDS_PER_CASE = 4;
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const keyOf = (i: number): WatermarkKey => ({
  chainId: 'NetXdQprcVkpaWU',
  // distinct (not real) addresses: one watermark file each
  pkh: `tz1StoreBench${BASE58.charAt(i % 58)}${BASE58.charAt(Math.floor(i / 58) % 58)}`,
  kind: 'attestation',
});
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

interface Figures {
  readonly ops: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

/** `workers` loops at once, each advancing its own key level by level for the case's duration. */
async function measure(store: FileWatermarkStore, workers: number, firstKey: number, withRecord: boolean): Promise<Figures> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + SECONDS_PER_CASE * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const key = keyOf(firstKey + w);
      for (let level = 1; performance.now() < until; level++) {
        const mark = { level, round: 0, hash: hashOf(level) };
        const t0 = performance.now();
        const result = await store.checkAndAdvance(key, mark);
        if (withRecord) await store.record(key, mark, 'sigBenchPlaceholderNotVerified');
        latencies.push(performance.now() - t0);
        if (result.outcome !== 'advanced') throw new Error(`expected an advance at level ${level}, got ${result.outcome}`);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const line = (name: string, f: Figures) =>
  `${name.padEnd(44)} ${f.perSecond.toFixed(0).padStart(7)} ops/s   p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms   (${f.ops} ops)`;

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-file-'));
  try {
    const store = await FileWatermarkStore.open({ home });
    await measure(store, 1, 1000, false); // warm-up: JIT, folder creation, page cache
    console.log(`file store in ${home} (fsync on every write), ${SECONDS_PER_CASE} s per case`);
    const sequential = await measure(store, 1, 0, false);
    console.log(line('check-and-advance, 1 key, sequential', sequential));
    const concurrent = await measure(store, 16, 100, false);
    console.log(line('check-and-advance, 16 keys, 16 at once', concurrent));
    const signingPath = await measure(store, 1, 200, true);
    console.log(line('advance + record, 1 key, sequential', signingPath));
    console.log(`16 keys at once vs 1 key: ${(concurrent.perSecond / sequential.perSecond).toFixed(2)}x the rate`);
    console.log(`record adds ${((signingPath.p50 / sequential.p50 - 1) * 100).toFixed(0)}% to the p50 of an advance`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
