import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { FileWatermarkStore } from './file-store.js';
import { typedFailure } from '../../../../test-support/errors.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const KEY: WatermarkKey = { chainId: CHAIN, pkh: PKH, kind: 'block' };
const H1 = '11'.repeat(32);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-format-'));
  await mkdir(join(home, 'watermarks', CHAIN, PKH), { recursive: true });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const folder = join('watermarks', CHAIN, PKH, 'block');
const formatFile = () => join(home, 'watermarks', 'format.json');
const signed = (level: number, round: number, hash: string): SignedMark => ({ level, round, hash, signature: `edsig${level}x${round}` });
const failureOf = typedFailure;

describe('the watermark format of a home', () => {
  it('is written at opening, and a home of a later format is refused', async () => {
    await FileWatermarkStore.open({ home });
    expect(JSON.parse(await readFile(formatFile(), 'utf8'))).toEqual({ format: 3 });
    await writeFile(formatFile(), '{"format": 4}\n');
    const failure = await failureOf(FileWatermarkStore.open({ home }));
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.message).toContain('format 4');
  });

  it("raises an older release's number, so that release refuses to start on the home again", async () => {
    await writeFile(formatFile(), '{"format":2}\n');
    await FileWatermarkStore.open({ home });
    expect(JSON.parse(await readFile(formatFile(), 'utf8'))).toEqual({ format: 3 });
  });

  it('counts no commit in a folder that a process of a later format has taken over', async () => {
    const store = await FileWatermarkStore.open({ home });
    expect(await store.commit(KEY, signed(5, 0, H1))).toEqual({ committed: true });
    await writeFile(join(home, folder, 'format-4'), '');
    const failure = await failureOf(store.commit(KEY, signed(6, 0, H1)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain('newer tezsigner');
  });

  it.each([
    ['a marker file', async () => writeFile(join(home, `${folder}.json`), '{"format": 4, "moved": "block/"}\n')],
    [
      'a marker folder',
      async () => {
        await mkdir(join(home, `${folder}.json`));
        await writeFile(join(home, `${folder}.json`, 'moved.json'), '{"format": 4, "moved": "block/"}\n');
      },
    ],
  ])('refuses a watermark whose marker (%s) was left by a later format', async (_, make) => {
    await make();
    const store = await FileWatermarkStore.open({ home });
    const failure = await failureOf(store.commit(KEY, signed(6, 0, H1)));
    expect(failure.code).toBe('STORE_UNAVAILABLE');
    expect(failure.message).toContain('newer tezsigner');
  });
});
