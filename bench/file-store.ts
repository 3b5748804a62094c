// The file watermark store's share of a signature (read the mark, then commit it with its
// signature: one exclusively created, fsynced file, plus the folder's fsync): one key in
// sequence, then 16 keys at once, all with real fsyncs on this machine's disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { caseLine } from './report.js';
import { measureCommits } from './watermark-commits.js';

const SECONDS_PER_CASE = 4;

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-file-'));
  try {
    const store = await FileWatermarkStore.open({ home });
    const seconds = SECONDS_PER_CASE;
    await measureCommits([store], { workers: 1, firstKey: 1000, seconds }); // warm-up: JIT, folder creation, page cache
    console.log(`file store in ${home} (fsync on every write), ${SECONDS_PER_CASE} s per case`);
    const sequential = await measureCommits([store], { workers: 1, firstKey: 0, seconds });
    console.log(caseLine('read + commit, 1 key, sequential', sequential));
    const concurrent = await measureCommits([store], { workers: 16, firstKey: 100, seconds });
    console.log(caseLine('read + commit, 16 keys, 16 at once', concurrent));
    console.log(`16 keys at once vs 1 key: ${(concurrent.perSecond / sequential.perSecond).toFixed(2)}x the rate`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
