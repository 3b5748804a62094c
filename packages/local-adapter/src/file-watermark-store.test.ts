import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import type { WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-watermark-store.js';

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

const fileOf = (key: WatermarkKey) => join(home, 'watermarks', key.chainId, key.pkh, `${key.kind}.json`);
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as unknown;
const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    if (isTezsignerError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a TezsignerError, got success');
};

describe('FileWatermarkStore', () => {
  it('stores the first mark durably in its own private file, octez-style fields', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.checkAndAdvance(KEY, { level: 10, round: 2, hash: H1 })).toEqual({ outcome: 'advanced' });
    expect(await readJson(fileOf(KEY))).toEqual({ level: 10, round: 2, hash: H1 });
    expect((await stat(fileOf(KEY))).mode & 0o777).toBe(0o600);
    for (const dir of ['watermarks', `watermarks/${CHAIN}`, `watermarks/${CHAIN}/${PKH}`]) {
      expect((await stat(join(home, dir))).mode & 0o777).toBe(0o700);
    }
  });

  it('advances only strictly upwards and refuses lower or equal-with-other-bytes', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.checkAndAdvance(KEY, { level: 10, round: 2, hash: H1 });
    expect(await store.checkAndAdvance(KEY, { level: 10, round: 3, hash: H2 })).toEqual({ outcome: 'advanced' });
    expect(await store.checkAndAdvance(KEY, { level: 11, round: 0, hash: H3 })).toEqual({ outcome: 'advanced' });
    for (const mark of [
      { level: 11, round: 0, hash: H1 },
      { level: 10, round: 9, hash: H3 },
      { level: 5, round: 0, hash: H3 },
    ]) {
      expect((await codeOf(store.checkAndAdvance(KEY, mark))).code).toBe('WATERMARK_REFUSED');
    }
    expect(await readJson(fileOf(KEY))).toEqual({ level: 11, round: 0, hash: H3 });
  });

  it('answers the same bytes again: resign before record, the recorded signature after', async () => {
    const store = await FileWatermarkStore.open({ home });
    const mark = { level: 7, round: 0, hash: H1 };
    await store.checkAndAdvance(KEY, mark);
    expect(await store.checkAndAdvance(KEY, mark)).toEqual({ outcome: 'resign' });
    await store.record(KEY, mark, 'edsigFIRST');
    expect(await readJson(fileOf(KEY))).toEqual({ level: 7, round: 0, hash: H1, signature: 'edsigFIRST' });
    expect(await store.checkAndAdvance(KEY, mark)).toEqual({ outcome: 'repeat', signature: 'edsigFIRST' });
  });

  it('ignores a record for a mark that is no longer the stored one', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.checkAndAdvance(KEY, { level: 7, round: 0, hash: H1 });
    await store.checkAndAdvance(KEY, { level: 8, round: 0, hash: H2 });
    const before = await readFile(fileOf(KEY), 'utf8');
    await store.record(KEY, { level: 7, round: 0, hash: H1 }, 'edsigSTALE');
    await store.record(KEY, { level: 8, round: 0, hash: H3 }, 'edsigOTHERBYTES');
    expect(await readFile(fileOf(KEY), 'utf8')).toBe(before);
    await store.record({ ...KEY, kind: 'attestation' }, { level: 8, round: 0, hash: H2 }, 'edsigNOMARK');
    expect(await store.list()).toHaveLength(1);
  });

  it('keeps every mark across a restart (a new store over the same folder)', async () => {
    const first = await FileWatermarkStore.open({ home });
    const other: WatermarkKey = { chainId: 'NetXnHfVqm9iesp', pkh: 'tz4Jmhdr9HKcRy2YHrf7cbLtN3ccoe2HnoaW', kind: 'attestation' };
    await first.checkAndAdvance(KEY, { level: 3, round: 1, hash: H1 });
    await first.record(KEY, { level: 3, round: 1, hash: H1 }, 'edsigX');
    await first.checkAndAdvance(other, { level: 9, round: 0, hash: H2 });

    const second = await FileWatermarkStore.open({ home });
    const listed = [...(await second.list())].sort((a, b) => a.key.pkh.localeCompare(b.key.pkh));
    expect(listed).toEqual([
      { key: KEY, watermark: { level: 3, round: 1, hash: H1, signature: 'edsigX' } },
      { key: other, watermark: { level: 9, round: 0, hash: H2 } },
    ]);
    expect(await second.checkAndAdvance(KEY, { level: 3, round: 1, hash: H1 })).toEqual({ outcome: 'repeat', signature: 'edsigX' });
    expect((await codeOf(second.checkAndAdvance(other, { level: 9, round: 0, hash: H3 }))).code).toBe('WATERMARK_REFUSED');
  });

  it('lists marks only, past lock folders and temp files a crash left behind', async () => {
    const store = await FileWatermarkStore.open({ home });
    await store.checkAndAdvance(KEY, { level: 2, round: 0, hash: H1 });
    const folder = join(home, 'watermarks', CHAIN, PKH);
    await mkdir(join(folder, 'attestation.json.lock'));
    await writeFile(join(folder, '.attestation.json.4242.abcdef.tmp'), '{"level": 99');
    expect(await store.list()).toEqual([{ key: KEY, watermark: { level: 2, round: 0, hash: H1 } }]);
  });

  it.each([
    ['not JSON', '{"level": 3, "round"'],
    ['empty', ''],
    ['missing round', '{"level": 3, "hash": "' + H1 + '"}'],
    ['negative level', '{"level": -1, "round": 0, "hash": "' + H1 + '"}'],
    ['fractional round', '{"level": 3, "round": 0.5, "hash": "' + H1 + '"}'],
    ['short hash', '{"level": 3, "round": 0, "hash": "abcd"}'],
    ['an array', '[3, 0]'],
  ])('fails closed on a corrupt file (%s) and leaves it untouched', async (_, content) => {
    const store = await FileWatermarkStore.open({ home });
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    await writeFile(fileOf(KEY), content);
    for (const attempt of [
      () => store.checkAndAdvance(KEY, { level: 1_000_000, round: 0, hash: H2 }),
      () => store.record(KEY, { level: 3, round: 0, hash: H1 }, 'edsigX'),
      () => store.importEntries([{ key: KEY, watermark: { level: 1_000_000, round: 0, hash: H2 } }]),
      () => store.list(),
    ]) {
      const failure = await codeOf(attempt());
      expect(failure.code).toBe('STORE_CORRUPT');
      expect(failure.message).toContain(fileOf(KEY));
    }
    expect(await readFile(fileOf(KEY), 'utf8')).toBe(content);
  });

  it('reports an unusable folder as STORE_UNAVAILABLE and writes nothing', async () => {
    const store = await FileWatermarkStore.open({ home });
    await mkdir(join(home, 'watermarks', CHAIN), { recursive: true });
    await writeFile(join(home, 'watermarks', CHAIN, PKH), 'a file where the key folder belongs');
    const failure = await codeOf(store.checkAndAdvance(KEY, { level: 1, round: 0, hash: H1 }));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(await readFile(join(home, 'watermarks', CHAIN, PKH), 'utf8')).toBe('a file where the key folder belongs');
  });

  it('refuses keys and marks that could escape its folder or are not marks', async () => {
    const store = await FileWatermarkStore.open({ home });
    for (const key of [
      { ...KEY, chainId: '../../etc' },
      { ...KEY, pkh: 'tz1/../x' },
      { ...KEY, kind: 'votes' as 'block' },
    ]) {
      expect((await codeOf(store.checkAndAdvance(key, { level: 1, round: 0, hash: H1 }))).code).toBe('BAD_REQUEST');
    }
    expect((await codeOf(store.checkAndAdvance(KEY, { level: -1, round: 0, hash: H1 }))).code).toBe('BAD_REQUEST');
    expect((await codeOf(store.checkAndAdvance(KEY, { level: 1, round: 0, hash: 'zz' }))).code).toBe('BAD_REQUEST');
    expect(await store.list()).toEqual([]);
  });

  it('imports marks by raising only, and says which keys it raised', async () => {
    const store = await FileWatermarkStore.open({ home });
    const att: WatermarkKey = { ...KEY, kind: 'attestation' };
    const pre: WatermarkKey = { ...KEY, kind: 'preattestation' };
    await store.checkAndAdvance(KEY, { level: 100, round: 0, hash: H1 });
    await store.checkAndAdvance(att, { level: 100, round: 0, hash: H1 });
    const raised = await store.importEntries([
      { key: KEY, watermark: { level: 99, round: 5, hash: H2, signature: 'edsigLOW' } },
      { key: att, watermark: { level: 100, round: 1, hash: H2, signature: 'edsigHIGH' } },
      { key: pre, watermark: { level: 4, round: 0, hash: H3 } },
    ]);
    expect(raised).toEqual([att, pre]);
    expect(await readJson(fileOf(KEY))).toEqual({ level: 100, round: 0, hash: H1 });
    expect(await readJson(fileOf(att))).toEqual({ level: 100, round: 1, hash: H2, signature: 'edsigHIGH' });
    expect(await readJson(fileOf(pre))).toEqual({ level: 4, round: 0, hash: H3 });
  });

  it('lets exactly one of many concurrent requests at one position through', async () => {
    const store = await FileWatermarkStore.open({ home });
    const hashes = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(64, '0'));
    const results = await Promise.allSettled(hashes.map((hash) => store.checkAndAdvance(KEY, { level: 50, round: 0, hash })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [hashes[i]] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(isTezsignerError(r.reason, 'WATERMARK_REFUSED')).toBe(true);
    }
    expect(await readJson(fileOf(KEY))).toEqual({ level: 50, round: 0, hash: winners[0] });
  });

  it('holds the highest mark accepted, whatever the sequence (model check)', async () => {
    const mark = fc.record({ level: fc.nat(4), round: fc.nat(2), hash: fc.constantFrom(H1, H2) });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mark, { minLength: 1, maxLength: 12 }), async (marks) => {
        // A fresh base58 key per run (digits 1-9 only: 0 is not base58).
        const key = { ...KEY, pkh: `tz1Run${[...(++run).toString(9)].map((d) => Number(d) + 1).join('')}` };
        const store = await FileWatermarkStore.open({ home });
        let high: { level: number; round: number; hash: string } | undefined;
        for (const m of marks) {
          const expected =
            high === undefined || m.level > high.level || (m.level === high.level && m.round > high.round)
              ? 'advanced'
              : m.level === high.level && m.round === high.round && m.hash === high.hash
                ? 'resign'
                : 'refused';
          const got = await store.checkAndAdvance(key, m).then(
            (r) => r.outcome,
            (err: unknown) => (isTezsignerError(err, 'WATERMARK_REFUSED') ? 'refused' : Promise.reject(err)),
          );
          expect(got).toBe(expected);
          if (expected === 'advanced') high = m;
          expect(await readJson(fileOf(key))).toEqual(high);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('takes over the lock of a crashed process once it is stale, and waits for a live one', async () => {
    const store = await FileWatermarkStore.open({ home, lock: { staleMs: 2_000, waitMs: 300 } });
    await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
    const lockDir = `${fileOf(KEY)}.lock`;
    await mkdir(lockDir);
    const failure = await codeOf(store.checkAndAdvance(KEY, { level: 1, round: 0, hash: H1 }));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain(lockDir);

    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    expect(await store.checkAndAdvance(KEY, { level: 1, round: 0, hash: H1 })).toEqual({ outcome: 'advanced' });
    await expect(stat(lockDir)).rejects.toThrow(/ENOENT/);
  });
});
