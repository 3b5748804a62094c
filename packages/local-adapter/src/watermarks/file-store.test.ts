import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-store.js';
import { typedFailure } from '../../../../test-support/errors.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'block' };
const H1 = '11'.repeat(32);
const H2 = '22'.repeat(32);
const H3 = '33'.repeat(32);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-wm-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const folderOf = (key: WatermarkKey) => join(home, 'watermarks', key.chainId, key.pkh, key.kind);
/** Where an older tezsigner kept its single file per (chain, key, kind). */
const legacyFileOf = (key: WatermarkKey) => `${folderOf(key)}.json`;
/** The mark files of a folder: not temp files, nor the file claiming the folder for this format. */
const markFiles = async (key: WatermarkKey) => (await readdir(folderOf(key))).filter((name) => !name.startsWith('.') && !name.startsWith('format-')).sort();
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as unknown;
const signed = (level: number, round: number, hash: string, signature = `edsig${level}x${round}x${hash.slice(0, 2)}`): SignedMark => ({ level, round, hash, signature });
const codeOf = typedFailure;

describe('FileWatermarkStore', () => {
  it('commits a mark with its signature durably in a private file named for its position', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(10, 2, H1, 'edsigA'))).toEqual({ committed: true });
    const file = join(folderOf(KEY), '10-2.json');
    expect(await readJson(file)).toEqual({ level: 10, round: 2, hash: H1, signature: 'edsigA' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    for (const dir of ['watermarks', `watermarks/${CHAIN}`, `watermarks/${CHAIN}/${PKH}`, `watermarks/${CHAIN}/${PKH}/block`]) {
      expect((await stat(join(home, dir))).mode & 0o777).toBe(0o700);
    }
    expect(await store.read(KEY)).toEqual({ level: 10, round: 2, hash: H1, signature: 'edsigA' });
  });

  it('commits only strictly upwards; otherwise writes nothing and answers the stored mark', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(10, 2, H1));
    expect(await store.commit(KEY, signed(10, 3, H2))).toEqual({ committed: true });
    expect(await store.commit(KEY, signed(11, 0, H3))).toEqual({ committed: true });
    for (const offered of [signed(11, 0, H1), signed(11, 0, H3, 'edsigAgain'), signed(10, 9, H3), signed(5, 0, H3)]) {
      expect(await store.commit(KEY, offered)).toEqual({ committed: false, stored: signed(11, 0, H3) });
    }
    expect(await store.read(KEY)).toEqual(signed(11, 0, H3));
  });

  it('prunes the files below the highest once its folder holds more than eight to fifteen, never the highest', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(1, 0, H1));
    let level = 1;
    let before: string[] = [];
    // close() waits for a prune set off by the last commit, so each count is the settled one
    for (let held = 1; held !== 1 || level === 1; held = (await markFiles(KEY)).length) {
      before = await markFiles(KEY);
      if (++level > 40) throw new Error('40 commits and no prune');
      await store.commit(KEY, signed(level, 0, H1));
      await store.close();
    }
    expect(await markFiles(KEY)).toEqual([`${level}-0.json`]);
    // the marks it held before the commit that pruned it (the file claiming the folder counts too)
    expect(before.length).toBeGreaterThanOrEqual(7);
    expect(before.length).toBeLessThanOrEqual(15);
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual(signed(level, 0, H1));
  });

  it('prunes the folders of a bakery at different levels, not all at once', async () => {
    const store = await FileWatermarkStore.open({ home });
    // one key per last character of its address, as varied as a bakery's (base58: about uniform)
    const keys = [...'123456789ABCDEFG'].map((last) => ({ chainId: CHAIN, pkh: `${PKH.slice(0, -1)}${last}`, kind: 'attestation' as const }));
    const prunedAt = new Map<string, number>();
    for (let level = 1; prunedAt.size < keys.length; level++) {
      if (level > 40) throw new Error(`40 levels and ${keys.length - prunedAt.size} folders never pruned`);
      // every key commits once per level, as a baker's keys do
      await Promise.all(keys.map((key) => store.commit(key, signed(level, 0, H1))));
      await store.close();
      for (const key of keys) {
        if (!prunedAt.has(key.pkh) && (await markFiles(key)).length === 1 && level > 1) prunedAt.set(key.pkh, level);
      }
    }
    // a folder is pruned at its threshold's level, or one before when the listing caught the
    // temporary name of that level's mark before its removal
    const levels = [...prunedAt.values()];
    for (const at of levels) expect(at).toBeGreaterThanOrEqual(7);
    for (const at of levels) expect(at).toBeLessThanOrEqual(15);
    // eight thresholds over sixteen keys: a few folders a level, never all (one threshold for all
    // prunes them at one level, or two)
    expect(new Set(levels).size).toBeGreaterThanOrEqual(4);
    expect(Math.max(...[...new Set(levels)].map((at) => levels.filter((l) => l === at).length))).toBeLessThanOrEqual(8);
  });

  it('prunes a folder that commits faster than it prunes, one prune at a time, and keeps the highest', async () => {
    const store = await FileWatermarkStore.open({ home });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => store.commit(KEY, signed(i + 1, 0, H1))));
    // each commit lists after its link: a lower one may find a higher file there already
    expect(results.some((result) => result.committed)).toBe(true);
    for (let level = 61; level <= 80; level++) expect(await store.commit(KEY, signed(level, 0, H1))).toEqual({ committed: true });
    await store.close();
    const left = await markFiles(KEY);
    expect(left).toContain('80-0.json');
    // 80 files without pruning; a few more than its threshold if the last commits found a prune under way
    expect(left.length).toBeLessThan(20);
    expect(await (await FileWatermarkStore.open({ home })).read(KEY)).toEqual(signed(80, 0, H1));
  });

  it('a prepared mark is a temporary file only, written durably before it is completed; abandoned, it leaves nothing', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(10, 0, H1, 'edsigA'));
    const dropped = store.prepareCommit(KEY, signed(11, 0, H2, 'edsigB'));
    const kept = store.prepareCommit({ ...KEY, kind: 'attestation' }, signed(11, 0, H3, 'edsigC'));
    await dropped.abandon();
    expect(await readdir(folderOf(KEY))).toEqual(expect.not.arrayContaining([expect.stringMatching(/11-0/)]));
    // a signer killed between prepare and complete: its temporary file, written, is no mark to anyone
    const temps = async () => (await readdir(folderOf({ ...KEY, kind: 'attestation' })).catch(() => [])).filter((name) => name.endsWith('.tmp'));
    for (const started = Date.now(); (await temps()).length === 0; ) {
      if (Date.now() - started > 5000) throw new Error('the prepared mark wrote no temporary file');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const restarted = await FileWatermarkStore.open({ home });
    expect(await restarted.read({ ...KEY, kind: 'attestation' })).toBeUndefined();
    expect(await restarted.read(KEY)).toEqual({ level: 10, round: 0, hash: H1, signature: 'edsigA' });
    expect(await kept.complete()).toEqual({ committed: true });
    expect(await restarted.read({ ...KEY, kind: 'attestation' })).toEqual({ level: 11, round: 0, hash: H3, signature: 'edsigC' });
    expect((await readdir(folderOf({ ...KEY, kind: 'attestation' }))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps every mark across a restart (a new store over the same folder)', async () => {
    const first = await FileWatermarkStore.open({ home });
    const other: WatermarkKey = { chainId: 'NetXnHfVqm9iesp', pkh: 'tz4Jmhdr9HKcRy2YHrf7cbLtN3ccoe2HnoaW', kind: 'attestation' };
    await first.commit(KEY, signed(3, 1, H1, 'edsigX'));
    await first.commit(other, signed(9, 0, H2, 'BLsigY'));

    const second = await FileWatermarkStore.open({ home });
    const listed = [...(await second.list())].sort((a, b) => a.key.pkh.localeCompare(b.key.pkh));
    expect(listed).toEqual([
      { key: KEY, watermark: signed(3, 1, H1, 'edsigX') },
      { key: other, watermark: signed(9, 0, H2, 'BLsigY') },
    ]);
    expect(await second.commit(other, signed(9, 0, H3))).toEqual({ committed: false, stored: signed(9, 0, H2, 'BLsigY') });
  });

  it('reads the single file of an older tezsigner as a mark, and never commits at or below it', async () => {
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await writeFile(legacyFileOf(KEY), JSON.stringify({ level: 20, round: 1, hash: H1, signature: 'edsigOLD' }));
    const store = await FileWatermarkStore.open({ home });
    expect(await store.read(KEY)).toEqual(signed(20, 1, H1, 'edsigOLD'));
    // other bytes at its very position: the file that link() creates there must not count
    expect(await store.commit(KEY, signed(20, 1, H2))).toEqual({ committed: false, stored: signed(20, 1, H1, 'edsigOLD') });
    expect(await store.commit(KEY, signed(19, 0, H2))).toEqual({ committed: false, stored: signed(20, 1, H1, 'edsigOLD') });
    expect(await store.commit(KEY, signed(20, 2, H2))).toEqual({ committed: true });
    expect(await store.read(KEY)).toEqual(signed(20, 2, H2));
    expect(await store.list()).toEqual([{ key: KEY, watermark: signed(20, 2, H2) }]);
  });

  it('lists marks only, past stray files, old lock folders and temp files a crash left behind', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(2, 0, H1));
    await mkdir(join(home, 'watermarks', CHAIN, PKH, 'attestation.json.lock'));
    await writeFile(join(folderOf(KEY), '.3-0.json.4242.abcdef.tmp'), '{"level": 99');
    await writeFile(join(folderOf(KEY), '007-0.json'), 'not a mark name: leading zero');
    await writeFile(join(folderOf(KEY), 'notes.txt'), 'hello');
    expect(await store.list()).toEqual([{ key: KEY, watermark: signed(2, 0, H1) }]);
  });

  it('removes temp files that can no longer commit, whatever their clocks say, and leaves those above the highest', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(1, 0, H1));
    const below = join(folderOf(KEY), '.2-0.json.4242.aaaaaa.tmp');
    const above = join(folderOf(KEY), '.50-0.json.4243.bbbbbb.tmp');
    await writeFile(below, 'x');
    await writeFile(above, 'x');
    // a writer whose clock runs an hour ahead, and one an hour behind: neither decides
    const hourAhead = new Date(Date.now() + 3_600_000);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(below, hourAhead, hourAhead);
    await utimes(above, hourAgo, hourAgo);
    // enough commits for a prune to run
    for (let level = 2; level <= 9; level++) await store.commit(KEY, signed(level, 0, H1));
    await store.close();
    const names = await readdir(folderOf(KEY));
    expect(names).toContain('.50-0.json.4243.bbbbbb.tmp');
    expect(names).not.toContain('.2-0.json.4242.aaaaaa.tmp');
  });

  it.each([
    ['not JSON', '{"level": 3, "round"'],
    ['empty', ''],
    ['missing round', '{"level": 3, "hash": "' + H1 + '"}'],
    ['negative level', '{"level": -1, "round": 0, "hash": "' + H1 + '"}'],
    ['fractional round', '{"level": 3, "round": 0.5, "hash": "' + H1 + '"}'],
    ['short hash', '{"level": 3, "round": 0, "hash": "abcd"}'],
    ['an array', '[3, 0]'],
    ['another position than its name', '{"level": 4, "round": 0, "hash": "' + H1 + '"}'],
  ])('fails closed on a corrupt highest file (%s) and leaves it untouched', async (_, content) => {
    const store = await FileWatermarkStore.open({ home });
    await mkdir(folderOf(KEY), { recursive: true });
    const file = join(folderOf(KEY), '3-0.json');
    await writeFile(file, content);
    for (const attempt of [
      () => store.read(KEY),
      () => store.commit(KEY, signed(2, 0, H2)),
      () => store.commit(KEY, signed(1_000_000, 0, H2)),
      () => store.importEntries([{ key: KEY, watermark: { level: 1_000_001, round: 0, hash: H2 } }]),
      () => store.list(),
    ]) {
      const failure = await codeOf(attempt());
      expect(failure.code).toBe('STORE_CORRUPT');
      expect(failure.message).toContain(file);
      expect(failure.message).toContain('tezsigner watermarks repair');
    }
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it.each([
    ['a dangling symbolic link', (path: string) => symlink(join(home, 'nowhere.json'), path)],
    ['a symbolic link to a mark', async (path: string) => {
      await writeFile(join(home, 'elsewhere.json'), JSON.stringify({ level: 3, round: 0, hash: H1 }));
      await symlink(join(home, 'elsewhere.json'), path);
    }],
    ['a folder', (path: string) => mkdir(path)],
  ])('fails closed naming the entry and the fix when the highest mark is %s', async (_, make) => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(2, 0, H1));
    const path = join(folderOf(KEY), '3-0.json');
    await make(path);
    const reader = await FileWatermarkStore.open({ home });
    for (const attempt of [() => reader.read(KEY), () => reader.commit(KEY, signed(4, 0, H2)), () => reader.list(), () => reader.probe()]) {
      const failure = await codeOf(attempt());
      expect(failure).toEqual({ code: 'STORE_CORRUPT', message: expect.stringContaining(path) as string });
      expect(failure.message).toContain('tezsigner watermarks repair');
    }
  });

  it('refuses a mark folder, or a key folder above it, that is a symbolic link, and writes nothing where it leads', async () => {
    const elsewhere = join(home, 'elsewhere');
    await mkdir(join(elsewhere, 'block'), { recursive: true });
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await symlink(join(elsewhere, 'block'), folderOf(KEY));
    const linked: WatermarkKey = { ...KEY, pkh: 'tz1burnburnburnburnburnburnburjAYjjX' };
    await symlink(elsewhere, join(home, 'watermarks', CHAIN, linked.pkh));
    const store = await FileWatermarkStore.open({ home });
    for (const key of [KEY, linked]) {
      for (const attempt of [() => store.read(key), () => store.commit(key, signed(4, 0, H2))]) {
        const failure = await codeOf(attempt());
        expect(failure.code).toBe('STORE_CORRUPT');
        expect(failure.message).toContain('symbolic link');
      }
    }
    expect(await readdir(join(elsewhere, 'block'))).toEqual([]);
  });

  it('fails closed on a corrupt legacy file, naming it and the repair', async () => {
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await writeFile(legacyFileOf(KEY), '{"level": 3');
    const store = await FileWatermarkStore.open({ home });
    const failure = await codeOf(store.commit(KEY, signed(1_000_000, 0, H2)));
    expect(failure.code).toBe('STORE_CORRUPT');
    expect(failure.message).toContain(legacyFileOf(KEY));
    expect(failure.message).toContain('`tezsigner watermarks repair`, which says when it needs `--legacy-level <level>`');
  });

  it('reports an unusable folder as STORE_UNAVAILABLE and writes nothing', async () => {
    const store = await FileWatermarkStore.open({ home });
    await mkdir(join(home, 'watermarks', CHAIN), { recursive: true });
    await writeFile(join(home, 'watermarks', CHAIN, PKH), 'a file where the key folder belongs');
    const failure = await codeOf(store.commit(KEY, signed(1, 0, H1)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(await readFile(join(home, 'watermarks', CHAIN, PKH), 'utf8')).toBe('a file where the key folder belongs');
  });

  it('turns not ready while its commits fail, and ready again by itself once the fault is gone, with no mark lowered', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.commit(KEY, signed(5, 0, H1));
    await store.probe();
    const saved = join(home, 'saved-watermarks');
    await rename(join(home, 'watermarks'), saved);
    expect((await codeOf(store.commit(KEY, signed(6, 0, H1)))).code).toBe('STORE_UNAVAILABLE');
    const failure = await codeOf(store.commit(KEY, signed(6, 0, H1)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain('restore it');
    // never made afresh: the commit failed, and so does readiness, without any request
    await expect(stat(join(home, 'watermarks'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await codeOf(store.probe())).code).toBe('STORE_UNAVAILABLE');
    await rename(saved, join(home, 'watermarks'));
    await store.probe();
    expect(await store.commit(KEY, signed(5, 1, H2))).toEqual({ committed: true });
    expect(await store.read(KEY)).toEqual(signed(5, 1, H2));
  });

  it('refuses keys and marks that could escape its folder or are not marks', async () => {
    const store = await FileWatermarkStore.open({ home });
    for (const key of [{ ...KEY, chainId: '../../etc' }, { ...KEY, pkh: 'tz1/../x' }, { ...KEY, kind: 'votes' as 'block' }]) {
      expect((await codeOf(store.commit(key, signed(1, 0, H1)))).code).toBe('BAD_REQUEST');
      expect((await codeOf(store.read(key))).code).toBe('BAD_REQUEST');
    }
    expect((await codeOf(store.commit(KEY, signed(-1, 0, H1)))).code).toBe('BAD_REQUEST');
    expect((await codeOf(store.commit(KEY, signed(1, 0, 'zz')))).code).toBe('BAD_REQUEST');
    expect((await codeOf(store.commit(KEY, { level: 1, round: 0, hash: H1, signature: '' }))).code).toBe('BAD_REQUEST');
    expect(await store.list()).toEqual([]);
  });

  it('imports marks by raising only, and says which keys it raised', async () => {
    const store = await FileWatermarkStore.open({ home });
    const att: WatermarkKey = { ...KEY, kind: 'attestation' };
    const pre: WatermarkKey = { ...KEY, kind: 'preattestation' };
    await store.commit(KEY, signed(100, 0, H1));
    await store.commit(att, signed(100, 0, H1));
    const raised = await store.importEntries([
      { key: KEY, watermark: { level: 99, round: 5, hash: H2, signature: 'edsigLOW' } },
      { key: att, watermark: { level: 100, round: 1, hash: H2, signature: 'edsigHIGH' } },
      { key: pre, watermark: { level: 4, round: 0, hash: H3 } },
    ]);
    expect(raised).toEqual([att, pre]);
    expect(await store.read(KEY)).toEqual(signed(100, 0, H1));
    expect(await store.read(att)).toEqual({ level: 100, round: 1, hash: H2, signature: 'edsigHIGH' });
    expect(await store.read(pre)).toEqual({ level: 4, round: 0, hash: H3 });
  });

  it('commits exactly one of many concurrent different payloads at one position, from separate stores', async () => {
    // separate store objects share nothing in memory, like separate processes
    const stores = await Promise.all(Array.from({ length: 8 }, () => FileWatermarkStore.open({ home })));
    const hashes = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(64, '0'));
    const results = await Promise.all(hashes.map((hash, i) => (stores[i % stores.length] as FileWatermarkStore).commit(KEY, signed(50, 0, hash, `edsig${i}`))));
    const winners = results.flatMap((r, i) => (r.committed ? [i] : []));
    expect(winners).toHaveLength(1);
    const winner = signed(50, 0, hashes[winners[0] as number] as string, `edsig${winners[0]}`);
    for (const r of results) if (!r.committed) expect(r.stored).toEqual(winner);
    expect(await stores[0]?.read(KEY)).toEqual(winner);
  });

  it('a late commit below a higher mark counts for nothing, even where its position is free', async () => {
    const stores = [await FileWatermarkStore.open({ home }), await FileWatermarkStore.open({ home })];
    await stores[0]?.commit(KEY, signed(10, 2, H1));
    // the other one decided on a stale read and only now commits (10, 0): no file is there
    expect(await stores[1]?.commit(KEY, signed(10, 0, H2))).toEqual({ committed: false, stored: signed(10, 2, H1) });
    expect(await stores[1]?.read(KEY)).toEqual(signed(10, 2, H1));
  });

  it('holds the highest mark committed, whatever the sequence (model check)', async () => {
    const mark = fc.record({ level: fc.nat(4), round: fc.nat(2), hash: fc.constantFrom(H1, H2) });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mark, { minLength: 1, maxLength: 12 }), async (marks) => {
        // A fresh base58 key per run (digits 1-9 only: 0 is not base58).
        const key = { ...KEY, pkh: `tz1Run${[...(++run).toString(9)].map((d) => Number(d) + 1).join('')}` };
        const store = await FileWatermarkStore.open({ home });
        let high: SignedMark | undefined;
        for (const m of marks) {
          const offered = signed(m.level, m.round, m.hash);
          const above = high === undefined || m.level > high.level || (m.level === high.level && m.round > high.round);
          const result = await store.commit(key, offered);
          expect(result).toEqual(above ? { committed: true } : { committed: false, stored: high });
          if (above) high = offered;
          expect(await store.read(key)).toEqual(high);
        }
      }),
      { numRuns: 25 },
    );
  });
});
