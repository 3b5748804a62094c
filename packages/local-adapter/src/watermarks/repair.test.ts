import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-store.js';
import { repairWatermarks } from './repair.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'attestation' };
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);
/** what repair stands in for a lost payload: a Blake2b hash no payload has */
const NO_PAYLOAD = '00'.repeat(32);

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

describe('repairWatermarks', () => {
  it.each([
    ['empty', (path: string) => writeFile(path, '')],
    ['truncated', (path: string) => writeFile(path, `{"level":7,"round":2,"hash":"${H1.slice(0, 20)}`)],
    ['garbage', (path: string) => writeFile(path, 'garbage')],
    ['a folder', (path: string) => mkdir(path)],
    ['a dangling symbolic link', (path: string) => symlink(join(home, 'nowhere'), path)],
  ])('replaces a highest mark that is %s by one at the same position, so nothing at or below it is signed again', async (_, make) => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(6, 0, H1));
    await make(join(folder, '7-2.json'));
    const report = await repair();
    expect(report.unresolved).toEqual([]);
    expect(report.repaired).toHaveLength(1);
    expect(report.repaired[0]).toContain(join(folder, '7-2.json'));

    const after = await FileWatermarkStore.open({ home });
    expect(await after.read(KEY)).toEqual({ level: 7, round: 2, hash: NO_PAYLOAD });
    for (const lower of [signed(7, 2, H2), signed(7, 1, H2), signed(6, 5, H2)]) expect((await after.commit(KEY, lower)).committed).toBe(false);
    expect(await after.commit(KEY, signed(7, 3, H2))).toEqual({ committed: true });
    // a second run finds nothing to do
    expect(await repair()).toEqual({ repaired: [], unresolved: [] });
  });

  it('keeps the higher position when a damaged file still names one above its own name', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '7-0.json'), `{"level":9,"round":1,"hash":"${H1}`);
    await repair();
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual({ level: 9, round: 1, hash: NO_PAYLOAD });
  });

  it('sets a damaged file aside where the operator can still read it', async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '7-0.json'), 'garbage');
    await repair();
    const asides = (await readdir(folder)).filter((name) => name.startsWith('.7-0.json.set-aside.'));
    expect(asides).toHaveLength(1);
    expect(await readFile(join(folder, asides[0] as string), 'utf8')).toBe('garbage');
  });

  it('replaces an unreadable file of an older tezsigner at the level it still names, or the one given, and says when it needs one', async () => {
    const legacy = `${folder}.json`;
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await writeFile(legacy, 'garbage');
    const unresolved = await repair();
    expect(unresolved.repaired).toEqual([]);
    expect(unresolved.unresolved[0]).toContain('--legacy-level');
    expect(await readFile(legacy, 'utf8')).toBe('garbage');

    await repair(500);
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual({ level: 500, round: 0, hash: NO_PAYLOAD });

    await writeFile(legacy, '{"level": 600, "round": 3, "ha');
    await repair(500);
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual({ level: 600, round: 3, hash: NO_PAYLOAD });
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
