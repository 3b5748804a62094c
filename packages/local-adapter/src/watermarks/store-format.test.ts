import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { withFileLock } from '../files/lock.js';
import { FileWatermarkStore } from './file-store.js';
import { readWatermarkFile } from './file-content.js';
import { typedFailure } from '../../../../test-support/errors.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'block' };
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-format-'));
  await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const folder = join('watermarks', CHAIN, PKH, 'block');
/** Where format 1 kept the block watermark of KEY, rewritten in place under a lock of the same name. */
const legacyFile = () => join(home, `${folder}.json`);
const signed = (level: number, round: number, hash: string): SignedMark => ({ level, round, hash, signature: `edsig${level}x${round}` });
const failureOf = typedFailure;

describe('the watermark format of a home', () => {
  it('is written at opening, and a home of a later format is refused', async () => {
    await FileWatermarkStore.open({ home });
    expect(JSON.parse(await readFile(join(home, 'watermarks', 'format.json'), 'utf8'))).toEqual({ format: 2 });
    await writeFile(join(home, 'watermarks', 'format.json'), '{"format": 3}\n');
    const failure = await failureOf(FileWatermarkStore.open({ home }));
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.message).toContain('format 3');
  });

  it('moves a format-1 mark into its folder before the first commit, and leaves what format 1 reads as corrupt', async () => {
    await writeFile(legacyFile(), JSON.stringify({ level: 20, round: 1, hash: H1, signature: 'edsigOLD' }));
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(21, 0, H2))).toEqual({ committed: true });
    expect((await readdir(join(home, folder))).filter((name) => !name.startsWith('.')).sort()).toEqual(['20-1.json', '21-0.json']);
    expect(JSON.parse(await readFile(join(home, folder, '20-1.json'), 'utf8'))).toEqual({ level: 20, round: 1, hash: H1, signature: 'edsigOLD' });
    // what a format-1 process reads, under its lock, before each of its commits
    const failure = await failureOf(readWatermarkFile(legacyFile()));
    expect(failure.code).toBe('STORE_CORRUPT');
    // and the move is done once: a new process reads the mark from the folder alone
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual(signed(21, 0, H2));
  });

  it('leaves the marker even where format 1 never wrote, so a format-1 process cannot start that watermark from nothing', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(5, 0, H1))).toEqual({ committed: true });
    expect((await failureOf(readWatermarkFile(legacyFile()))).code).toBe('STORE_CORRUPT');
  });

  it('moves under the lock format 1 commits under: a format-1 commit that holds it is seen before the first commit', async () => {
    await writeFile(legacyFile(), JSON.stringify({ level: 20, round: 0, hash: H1 }));
    const store = await FileWatermarkStore.open({ home });
    expect(await store.read(KEY)).toEqual({ level: 20, round: 0, hash: H1 });
    let commit: Promise<unknown> | undefined;
    // a format-1 process holds its lock, and signs level 40 while the new one waits
    await withFileLock(legacyFile(), async () => {
      commit = store.commit(KEY, signed(30, 0, H2));
      await new Promise((done) => setTimeout(done, 200));
      await writeFile(legacyFile(), JSON.stringify({ level: 40, round: 0, hash: H1, signature: 'edsig40' }));
    });
    expect(await commit).toEqual({ committed: false, stored: { level: 40, round: 0, hash: H1, signature: 'edsig40' } });
    expect(await store.commit(KEY, signed(40, 0, H2))).toEqual({ committed: false, stored: { level: 40, round: 0, hash: H1, signature: 'edsig40' } });
    expect(await store.commit(KEY, signed(41, 0, H2))).toEqual({ committed: true });
  });

  it('counts no commit in a folder that a process of a later format has taken over', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(5, 0, H1))).toEqual({ committed: true });
    await writeFile(join(home, folder, 'format-3'), '');
    const failure = await failureOf(store.commit(KEY, signed(6, 0, H1)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain('newer tezsigner');
  });

  it('refuses a watermark whose marker was left by a later format', async () => {
    await writeFile(legacyFile(), '{"format": 3, "moved": "block/"}\n');
    const store = await FileWatermarkStore.open({ home });
    expect((await failureOf(store.commit(KEY, signed(6, 0, H1)))).message).toContain('newer tezsigner');
  });
});
