import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-store.js';
import { repairWatermarks } from './repair.js';
import { format1CheckAndAdvance } from '../../test/support/format1-operations.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'attestation' };
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);
/** what repair stands in for a lost payload: a Blake2b hash no payload has */
const NO_PAYLOAD = '00'.repeat(32);
/** the round of a mark that covers its whole level */
const LAST_ROUND = 2 ** 31 - 1;

let home: string;
let folder: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-repair-'));
  folder = join(home, 'watermarks', CHAIN, PKH, 'attestation');
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const signed = (level: number, round: number, hash: string): SignedMark => ({ level, round, hash, signature: `edsig${level}x${round}` });
const repair = (legacyLevel?: number) => repairWatermarks(join(home, 'watermarks'), legacyLevel === undefined ? {} : { legacyLevel });
const legacy = () => `${folder}.json`;
const openStore = () => FileWatermarkStore.open({ home });

/** After a repair: nothing at or below `position` commits, and the next round above it does. */
async function holdsAt(position: { level: number; round: number }): Promise<void> {
  const store = await openStore();
  expect(await store.read(KEY)).toEqual({ ...position, hash: NO_PAYLOAD });
  for (const lower of [position, { ...position, round: Math.max(0, position.round - 1) }, { level: position.level - 1, round: 5 }]) {
    expect((await store.commit(KEY, signed(lower.level, lower.round, H2))).committed).toBe(false);
  }
  const next = position.round < LAST_ROUND ? { level: position.level, round: position.round + 1 } : { level: position.level + 1, round: 0 };
  expect(await store.commit(KEY, signed(next.level, next.round, H2))).toEqual({ committed: true });
}

/** What a format-1 process now gets for a commit of this watermark: nothing written, nothing signed. */
async function format1LockedOut(): Promise<void> {
  expect((await format1CheckAndAdvance(legacy(), { level: 1_000_000_000, round: 0, hash: H2 }, { waitMs: 100 })).outcome).toBe('failed');
}

describe('repairWatermarks', () => {
  it.each<[string, (path: string) => Promise<unknown>, { level: number; round: number }]>([
    ['empty', (path) => writeFile(path, ''), { level: 7, round: 2 }],
    ['truncated', (path) => writeFile(path, `{"level":7,"round":2,"hash":"${H1.slice(0, 20)}`), { level: 7, round: 2 }],
    ['garbage', (path) => writeFile(path, 'garbage'), { level: 7, round: 2 }],
    ['a dangling symbolic link', (path) => symlink(join(home, 'nowhere'), path), { level: 7, round: 2 }],
    ['a FIFO', async (path) => execFileSync('mkfifo', [path]), { level: 7, round: 2 }],
    // a folder cannot be renamed over: the round above it is taken first
    ['a folder', (path) => mkdir(path), { level: 7, round: 3 }],
  ])('replaces a highest mark that is %s by one at its position, so nothing at or below it is signed again', async (_, make, position) => {
    const store = await openStore();
    await store.commit(KEY, signed(6, 0, H1));
    await make(join(folder, '7-2.json'));
    const report = await repair();
    expect(report.unresolved).toEqual([]);
    expect(report.repaired).toHaveLength(1);
    expect(report.repaired[0]).toContain(join(folder, '7-2.json'));
    expect(report.repaired[0]?.split('\n')).toHaveLength(1);
    await holdsAt(position);
    // a second run finds nothing to do
    expect(await repair()).toEqual({ repaired: [], unresolved: [] });
  });

  it("takes a damaged file's position from its name, never from digits left in it", async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '7-0.json'), `{"level":9,"round":1,"hash":"${H1}`);
    await repair();
    await holdsAt({ level: 7, round: 0 });
  });

  it('keeps the higher position when a whole mark in the file names one above its own name', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '7-0.json'), JSON.stringify({ level: 9, round: 1, hash: H1 }));
    expect((await repair()).repaired[0]).toContain('holding level 9 round 1');
    await holdsAt({ level: 9, round: 1 });
  });

  it('sets a damaged file aside where the operator can still read it', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '7-0.json'), 'garbage');
    await repair();
    const asides = (await readdir(folder)).filter((name) => name.startsWith('.7-0.json.set-aside.'));
    expect(asides).toHaveLength(1);
    expect(await readFile(join(folder, asides[0] as string), 'utf8')).toBe('garbage');
  });

  describe('a damaged file of format 1 (one <kind>.json per watermark)', () => {
    beforeEach(() => mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true }));

    it('takes its level from --legacy-level only, never from what is left of it, and covers that whole level', async () => {
      // the mark was at 1,234,567; what is left of the file reads 12
      await writeFile(legacy(), '{"level":12');
      const unresolved = await repair();
      expect(unresolved.repaired).toEqual([]);
      expect(unresolved.unresolved).toEqual([
        `cannot repair ${legacy()}: it is not valid JSON (truncated?), and a damaged file's level is never guessed from what is left of it; run again with --legacy-level <level> (the highest level this key may have signed, or the chain head)`,
      ]);
      expect(await readFile(legacy(), 'utf8')).toBe('{"level":12');

      const report = await repair(1_234_567);
      expect(report.unresolved).toEqual([]);
      expect(report.repaired[0]).toContain(`${legacy()}: not valid JSON (truncated?); replaced by a mark covering level 1234567`);
      const store = await openStore();
      for (const level of [1000, 1500, 1_234_567]) expect((await store.commit(KEY, signed(level, 1, H2))).committed).toBe(false);
      expect(await store.commit(KEY, signed(1_234_568, 0, H2))).toEqual({ committed: true });
      // the old entry is kept aside, and tezsigner's marker stands in its place: format 1 can no longer sign from it
      expect((await readdir(join(home, 'watermarks', CHAIN, PKH))).filter((name) => name.startsWith('.attestation.json.set-aside.'))).toHaveLength(1);
      expect((await lstat(legacy())).isDirectory()).toBe(true);
      await format1LockedOut();
    });

    it('never lowers the folder: a stated level below its marks leaves them', async () => {
      await (await openStore()).commit(KEY, signed(2000, 0, H1));
      await rm(legacy(), { recursive: true });
      await rm(`${legacy()}.lock`);
      await rm(join(folder, 'format-3'));
      await writeFile(legacy(), 'garbage');
      await repair(1000);
      const store = await openStore();
      expect(await store.read(KEY)).toMatchObject({ level: 2000, round: 0, hash: H1 });
      expect((await store.commit(KEY, signed(1999, 0, H2))).committed).toBe(false);
    });

    it('names a FIFO there in one line, and repairs it like any damage', async () => {
      execFileSync('mkfifo', [legacy()]);
      expect((await repair()).unresolved[0]).toContain(`cannot repair ${legacy()}: it is a FIFO (named pipe)`);
      await repair(300);
      await holdsAt({ level: 300, round: LAST_ROUND });
    });

    it('leaves a stale lock of format 1 alone (its holder may be frozen), saying so', async () => {
      await writeFile(legacy(), 'garbage');
      await mkdir(`${legacy()}.lock`);
      await utimes(`${legacy()}.lock`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      const report = await repair(300);
      expect(report.unresolved[0]).toContain(`rmdir ${legacy()}.lock`);
      expect(await readFile(legacy(), 'utf8')).toBe('garbage');
    });
  });

  describe("a damaged marker, in a folder tezsigner's format took over", () => {
    beforeEach(async () => {
      await (await openStore()).commit(KEY, signed(40, 1, H1));
    });

    it.each<[string, () => Promise<unknown>]>([
      ['emptied', () => rm(join(legacy(), 'moved.json'))],
      [
        'replaced by garbage',
        async () => {
          await rm(legacy(), { recursive: true });
          await writeFile(legacy(), '{"form');
        },
      ],
      [
        'replaced by a symbolic link',
        async () => {
          await rm(legacy(), { recursive: true });
          await symlink(join(home, 'nowhere'), legacy());
        },
      ],
      ['removed', () => rm(legacy(), { recursive: true })],
    ])('%s: puts the marker back (never a format-1 mark), with no level to state', async (_, damage) => {
      await damage();
      const report = await repair();
      expect(report.unresolved).toEqual([]);
      expect(report.repaired).toHaveLength(1);
      expect(report.repaired[0]).toContain(legacy());
      expect(JSON.parse(await readFile(join(legacy(), 'moved.json'), 'utf8'))).toEqual({ format: 3, moved: 'attestation/' });
      expect(await (await openStore()).read(KEY)).toEqual(signed(40, 1, H1));
      await format1LockedOut();
    });

    it('moves a whole mark found there into the folder (the higher stands) and puts the marker back', async () => {
      await rm(legacy(), { recursive: true });
      await writeFile(legacy(), JSON.stringify({ level: 90, round: 0, hash: H2 }));
      const report = await repair();
      expect(report.repaired[0]).toContain(`${legacy()}: a mark at level 90 round 0 where tezsigner's marker belongs`);
      expect((await lstat(legacy())).isDirectory()).toBe(true);
      const store = await openStore();
      expect(await store.read(KEY)).toEqual({ level: 90, round: 0, hash: H2 });
      expect((await store.commit(KEY, signed(90, 0, H1))).committed).toBe(false);
    });

    it('sets aside a lock that is a FIFO and locks format 1 out again', async () => {
      await rm(`${legacy()}.lock`);
      execFileSync('mkfifo', [`${legacy()}.lock`]);
      const report = await repair();
      expect(report.repaired).toEqual([expect.stringContaining(`${legacy()}.lock: a FIFO (named pipe), not a lock; set aside as`)]);
      expect((await lstat(`${legacy()}.lock`)).isFile()).toBe(true);
      await format1LockedOut();
    });
  });

  it('leaves a mark folder that is a symbolic link to the operator', async () => {
    await mkdir(join(home, 'elsewhere'), { recursive: true });
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await symlink(join(home, 'elsewhere'), folder);
    const report = await repair();
    expect(report.unresolved[0]).toContain('symbolic link');
    expect((await lstat(folder)).isSymbolicLink()).toBe(true);
  });
});
