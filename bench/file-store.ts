// The file watermark store's check-and-advance (lock, read, rule, temp file + fsync + rename +
// folder fsync, unlock): one key in sequence, then 16 keys at once, then the full signing-path
// cost (advance + record of the signature), all with real fsyncs on this machine's disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { caseLine } from './report.js';
import { measureAdvances } from './watermark-advances.js';

const SECONDS_PER_CASE = 4;

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-file-'));
  try {
    const store = await FileWatermarkStore.open({ home });
    const seconds = SECONDS_PER_CASE;
    await measureAdvances([store], { workers: 1, firstKey: 1000, seconds }); // warm-up: JIT, folder creation, page cache
    console.log(`file store in ${home} (fsync on every write), ${SECONDS_PER_CASE} s per case`);
    const sequential = await measureAdvances([store], { workers: 1, firstKey: 0, seconds });
    console.log(caseLine('check-and-advance, 1 key, sequential', sequential));
    const concurrent = await measureAdvances([store], { workers: 16, firstKey: 100, seconds });
    console.log(caseLine('check-and-advance, 16 keys, 16 at once', concurrent));
    const signingPath = await measureAdvances([store], { workers: 1, firstKey: 200, seconds, withRecord: true });
    console.log(caseLine('advance + record, 1 key, sequential', signingPath));
    console.log(`16 keys at once vs 1 key: ${(concurrent.perSecond / sequential.perSecond).toFixed(2)}x the rate`);
    console.log(`record adds ${((signingPath.p50 / sequential.p50 - 1) * 100).toFixed(0)}% to the p50 of an advance`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
