import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, utimes, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-store.js';
import { format1CheckAndAdvance } from '../../test/support/format1-operations.js';
import { typedFailure } from '../../../../test-support/errors.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'block' };
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);

let home: string;
let keyFolder: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-retire-'));
  keyFolder = join(home, 'watermarks', CHAIN, PKH);
  await mkdir(keyFolder, { recursive: true });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const folder = () => join(keyFolder, 'block');
/** Where format 1 kept the block watermark of KEY, and the lock it took to rewrite it. */
const legacy = () => join(keyFolder, 'block.json');
const legacyLock = () => `${legacy()}.lock`;
const signed = (level: number, round: number, hash: string, signature = `edsig${level}x${round}`): SignedMark => ({ level, round, hash, signature });
const markFiles = async () => (await readdir(folder())).filter((name) => /^\d+-\d+\.json$/.test(name)).sort();
const failureOf = typedFailure;
const format1Mark = (level: number, signature?: string) => `${JSON.stringify({ level, round: 0, hash: H1, ...(signature === undefined ? {} : { signature }) })}\n`;

/** What each step of a format-1 commit now meets: all of them fail, so it signs nothing. */
async function expectFormat1LockedOut(): Promise<void> {
  // its whole commit, as f0c13e0 does it
  expect((await format1CheckAndAdvance(legacy(), { level: 1_000_000, round: 0, hash: H2 }, { waitMs: 100 })).outcome).toBe('failed');
  // its lock, also once the lock-out file looks stale to it (format 1 then removes it with rmdir)
  await utimes(legacyLock(), new Date(0), new Date(0));
  await expect(lock(legacy(), { realpath: false, stale: 10_000, retries: 0 })).rejects.toMatchObject({ code: 'ENOTDIR' });
  expect((await lstat(legacyLock())).isFile()).toBe(true);
  // and, were it past its lock some other way, its read and its rename
  await expect(readFile(legacy(), 'utf8')).rejects.toMatchObject({ code: 'EISDIR' });
  await writeFile(join(keyFolder, '.late.tmp'), format1Mark(1_000_000));
  await expect(rename(join(keyFolder, '.late.tmp'), legacy())).rejects.toMatchObject({ code: 'EISDIR' });
  await rm(join(keyFolder, '.late.tmp'));
}

describe('retiring the file of a format-1 tezsigner', () => {
  it('moves its mark into the folder before the first commit, then locks format 1 out for good', async () => {
    await writeFile(legacy(), format1Mark(20, 'edsigOLD'));
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(21, 0, H2))).toEqual({ committed: true });
    expect(await markFiles()).toEqual(['20-0.json', '21-0.json']);
    expect(JSON.parse(await readFile(join(folder(), '20-0.json'), 'utf8'))).toEqual({ level: 20, round: 0, hash: H1, signature: 'edsigOLD' });
    // the marker: a folder saying where the marks went; the lock: a file; the folder: claimed
    expect(JSON.parse(await readFile(join(legacy(), 'moved.json'), 'utf8'))).toEqual({ format: 3, moved: 'block/' });
    expect((await lstat(legacyLock())).isFile()).toBe(true);
    expect(await readdir(folder())).toContain('format-3');
    // nothing left beside them
    expect((await readdir(keyFolder)).sort()).toEqual(['block', 'block.json', 'block.json.lock']);
    await expectFormat1LockedOut();
    // a new process finds it done, and the marks in the folder alone
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual(signed(21, 0, H2));
  });

  it('turns the marker file of format 2 (a home the previous release moved) into the marker folder', async () => {
    await mkdir(folder());
    await writeFile(join(folder(), '30-0.json'), JSON.stringify(signed(30, 0, H1)));
    await writeFile(legacy(), '{"format":2,"moved":"block/"}\n');
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(30, 1, H2))).toEqual({ committed: true });
    expect(await markFiles()).toEqual(['30-0.json', '30-1.json']);
    expect(JSON.parse(await readFile(join(legacy(), 'moved.json'), 'utf8'))).toEqual({ format: 3, moved: 'block/' });
    await expectFormat1LockedOut();
  });

  it('leaves the marker and the lock-out where format 1 never wrote, so it cannot start that watermark from nothing', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(5, 0, H1))).toEqual({ committed: true });
    await expectFormat1LockedOut();
  });

  it('waits for a format-1 commit that holds the lock, and moves what it wrote', async () => {
    await writeFile(legacy(), format1Mark(20));
    const store = await FileWatermarkStore.open({ home });
    expect(await store.read(KEY)).toEqual({ level: 20, round: 0, hash: H1 });
    let commit: Promise<unknown> | undefined;
    // a format-1 commit of level 40, under its lock, while the new one starts its first commit
    const format1 = await format1CheckAndAdvance(legacy(), { level: 40, round: 0, hash: H1 }, {
      at: async (point) => {
        if (point !== 'locked') return;
        commit = store.commit(KEY, signed(30, 0, H2));
        await new Promise((done) => setTimeout(done, 200));
      },
    });
    expect(format1.outcome).toBe('advanced');
    expect(await commit).toEqual({ committed: false, stored: { level: 40, round: 0, hash: H1 } });
    expect(await store.commit(KEY, signed(41, 0, H2))).toEqual({ committed: true });
  });

  it('never takes over a stale format-1 lock (its holder may be frozen, not dead): it says so, and goes on once it is gone', async () => {
    await writeFile(legacy(), format1Mark(20));
    await mkdir(legacyLock());
    await utimes(legacyLock(), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const store = await FileWatermarkStore.open({ home });
    const failure = await failureOf(store.commit(KEY, signed(30, 0, H2)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain(`the lock ${legacyLock()} of an older tezsigner has not been refreshed for 60 s`);
    expect(failure.message).toContain(`rmdir ${legacyLock()}`);
    // nothing moved: the holder may still wake and write
    expect(await readFile(legacy(), 'utf8')).toBe(format1Mark(20));
    expect((await lstat(legacyLock())).isDirectory()).toBe(true);
    await rmdir(legacyLock());
    expect(await store.commit(KEY, signed(30, 0, H2))).toEqual({ committed: true });
  });

  it('takes a format-1 mark written while its marker is being placed into the folder too', async () => {
    await writeFile(legacy(), format1Mark(20));
    // a format-1 write that got past its lock before it was locked out (only a second older
    // process taking its lock over as stale could let one through) lands in the gap between
    // the move aside and the marker: its rename creates the file the marker was to replace
    const realRename = fs.rename;
    let landed = false;
    fs.rename = async (from, to) => {
      if (!landed && String(to) === legacy() && String(from).includes('.block.json.marker.')) {
        landed = true;
        await writeFile(join(keyFolder, '.late.tmp'), format1Mark(50));
        await realRename(join(keyFolder, '.late.tmp'), legacy());
      }
      return realRename(from, to);
    };
    syncBuiltinESMExports();
    try {
      const store = await FileWatermarkStore.open({ home });
      expect(await store.commit(KEY, signed(30, 0, H2))).toEqual({ committed: false, stored: { level: 50, round: 0, hash: H1 } });
      expect(landed).toBe(true);
      expect(await markFiles()).toEqual(['20-0.json', '30-0.json', '50-0.json']);
      expect(await store.commit(KEY, signed(51, 0, H2))).toEqual({ committed: true });
    } finally {
      fs.rename = realRename;
      syncBuiltinESMExports();
    }
    await expectFormat1LockedOut();
  });

  describe('resumes after a crash at any step', () => {
    it.each<[string, () => Promise<void>]>([
      ['format 1 locked out, its file still in place', async () => writeFile(legacyLock(), '{}')],
      [
        'the file moved aside, no marker yet',
        async () => {
          await writeFile(legacyLock(), '{}');
          await rename(legacy(), join(keyFolder, '.block.json.retired.0badc0ffee00'));
        },
      ],
      [
        'the marker placed, the file moved aside still there',
        async () => {
          await writeFile(legacyLock(), '{}');
          await rename(legacy(), join(keyFolder, '.block.json.retired.0badc0ffee00'));
          await mkdir(legacy());
          await writeFile(join(legacy(), 'moved.json'), '{"format":3,"moved":"block/"}\n');
        },
      ],
      [
        // a process read a file at block.json, another placed the marker, the first moved that aside
        'a marker folder moved aside, the file too, no marker in place',
        async () => {
          await writeFile(legacyLock(), '{}');
          await rename(legacy(), join(keyFolder, '.block.json.retired.0badc0ffee00'));
          await mkdir(join(keyFolder, '.block.json.retired.0badc0ffee01'));
          await writeFile(join(keyFolder, '.block.json.retired.0badc0ffee01', 'moved.json'), '{"format":3,"moved":"block/"}\n');
        },
      ],
      [
        'a marker folder prepared and never placed',
        async () => {
          await mkdir(join(keyFolder, '.block.json.marker.0badc0ffee00'));
          await writeFile(join(keyFolder, '.block.json.marker.0badc0ffee00', 'moved.json'), '{"format":3,"moved":"block/"}\n');
        },
      ],
    ])('%s', async (_, crashed) => {
      await writeFile(legacy(), format1Mark(20, 'edsigOLD'));
      await crashed();
      const store = await FileWatermarkStore.open({ home });
      expect(await store.commit(KEY, signed(20, 0, H2))).toEqual({ committed: false, stored: { level: 20, round: 0, hash: H1, signature: 'edsigOLD' } });
      expect(await store.commit(KEY, signed(21, 0, H2))).toEqual({ committed: true });
      expect((await readdir(keyFolder)).sort()).toEqual(['block', 'block.json', 'block.json.lock']);
      expect(await markFiles()).toEqual(['20-0.json', '21-0.json']);
    });
  });

  it('fails closed on a format-1 mark where its marker belongs (put back by hand or an older tool), naming it and the repair', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(5, 0, H1))).toEqual({ committed: true });
    await rm(legacy(), { recursive: true });
    await writeFile(legacy(), format1Mark(3));
    const failure = await failureOf((await FileWatermarkStore.open({ home })).commit(KEY, signed(6, 0, H1)));
    expect(failure.code).toBe('STORE_CORRUPT');
    expect(failure.message).toContain(`the watermark file ${legacy()} holds a mark where tezsigner left its marker folder`);
    expect(failure.message).toContain('tezsigner watermarks repair');
    expect(await readFile(legacy(), 'utf8')).toBe(format1Mark(3));
  });

  it.each<[string, () => Promise<unknown>, () => string, readonly ('read' | 'commit')[]]>([
    ['a FIFO named like the file', async () => execFileSync('mkfifo', [legacy()]), () => `the watermark file ${legacy()} is a FIFO (named pipe)`, ['read', 'commit']],
    // a read does not look at the lock: only a commit takes it
    ['a FIFO named like the lock', async () => execFileSync('mkfifo', [legacyLock()]), () => `the lock ${legacyLock()} is a FIFO (named pipe)`, ['commit']],
    ['a folder of format-1 days where the file was', async () => mkdir(legacy()), () => `the watermark file ${legacy()} is a folder that is not tezsigner's marker`, ['read', 'commit']],
  ])('fails closed at once on %s, naming it and what it is', async (_, make, said, calls) => {
    await make();
    const store = await FileWatermarkStore.open({ home });
    for (const attempt of calls.map((call) => (call === 'read' ? () => store.read(KEY) : () => store.commit(KEY, signed(6, 0, H1))))) {
      const failure = await failureOf(attempt());
      expect(failure.code).toBe('STORE_CORRUPT');
      expect(failure.message).toContain(said());
      expect(failure.message.split('\n')).toHaveLength(1);
    }
  });
});
