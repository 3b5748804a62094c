import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { homeWithKeys, oneLineError, runTezsigner } from './support/run-cli.js';

/**
 * `tezsigner watermarks repair` on every kind of damage a file store can show, each proven by
 * real `tezsigner sign` runs after it: no mark lower than before, nothing signed at or below a
 * position signed before or named (by a damaged entry's name, or by --legacy-level), and the
 * next position above signs. Before the repair, each damage stops signing in one line naming
 * the entry and what it is.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';

let env: Record<string, string>;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ env, remove } = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'repair passphrase'));
});
afterEach(() => remove());

const home = () => env['TEZSIGNER_HOME'] as string;
const keyFolder = () => join(home(), 'watermarks', CHAIN, KEY.public_key_hash);
const blockFolder = () => join(keyFolder(), 'block');
const legacyFile = () => `${blockFolder()}.json`;
const sign = (level: number, round = 0, payload = 0xdd) => runTezsigner(['sign', KEY.public_key_hash, tenderbakeBlock(level, round, payload)], { env });
const repair = (...args: string[]) => runTezsigner(['watermarks', 'repair', ...args], { env });

/** What each signature given was, by the bytes signed: a repeat may give the very same again, never another. */
const given = new Map<string, string>();
beforeEach(() => given.clear());

async function signs(level: number, round = 0, payload = 0xdd): Promise<void> {
  const run = await sign(level, round, payload);
  expect(run.code, run.stderr).toBe(0);
  given.set(tenderbakeBlock(level, round, payload), run.stdout.trim());
}

/**
 * Nothing new is signed at or below `at`: other bytes there and below are refused, and bytes
 * signed before get, at most, the signature they got then.
 */
async function nothingNewAtOrBelow(at: { level: number; round: number }): Promise<void> {
  for (const [level, round] of [
    [at.level, at.round],
    [at.level, 0],
    [at.level - 1, 3],
  ] as const) {
    expect(oneLineError(await sign(level, round, 0x01))).toMatch(/refusing to sign/);
  }
  for (const [bytes, signature] of given) {
    const run = await runTezsigner(['sign', KEY.public_key_hash, bytes], { env });
    if (run.code === 0) expect(run.stdout.trim()).toBe(signature);
    else expect(oneLineError(run)).toMatch(/refusing to sign/);
  }
}

describe('watermarks repair, then sign', () => {
  test.each<[string, (path: string) => Promise<unknown>, string, number]>([
    ['holding garbage', (path) => writeFile(path, '\u0000 garbage'), 'is not valid JSON', 0],
    ['cut short', (path) => writeFile(path, '{"level":102,"rou'), 'is not valid JSON (truncated?)', 0],
    ['empty', (path) => writeFile(path, ''), 'is empty', 0],
    ['a symbolic link', (path) => symlink(join(home(), 'nowhere'), path), 'is a symbolic link', 0],
    // a folder cannot be replaced in one rename: repair takes the round above first
    ['a folder', (path) => mkdir(path), 'is a folder, not a file', 1],
    ['a FIFO', async (path) => execFileSync('mkfifo', [path]), 'is a FIFO (named pipe), not a file', 0],
  ])('the highest mark %s', async (_, damage, why, round) => {
    for (const level of [100, 101, 102]) await signs(level);
    const damaged = join(blockFolder(), '102-0.json');
    await rm(damaged);
    await damage(damaged);
    expect(oneLineError(await sign(103))).toContain(`the watermark file ${damaged} ${why}`);

    const repaired = await repair();
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`repaired ${damaged}: `);
    await nothingNewAtOrBelow({ level: 102, round });
    await signs(102, round + 1);
  });

  test('garbage named like a higher mark than any signed: the name stands, the digits in it do not', async () => {
    for (const level of [100, 101]) await signs(level);
    const damaged = join(blockFolder(), '150-0.json');
    // what is left names level 9,999,999: a damaged file's content is never taken for a level
    await writeFile(damaged, '{"level":9999999,"round":0,"hash":"ab');
    expect(oneLineError(await sign(102))).toContain(damaged);
    expect((await repair()).code).toBe(0);
    await nothingNewAtOrBelow({ level: 150, round: 0 });
    await signs(150, 1);
  });

  describe("a format-1 tezsigner's file (one block.json per watermark) at level 1,234,567, cut short to {\"level\":12", () => {
    beforeEach(async () => {
      await mkdir(keyFolder(), { recursive: true });
      await writeFile(legacyFile(), '{"level":12');
    });

    test('without --legacy-level: nothing is repaired, nothing signs, and the command says what to pass', async () => {
      expect(oneLineError(await sign(2000))).toContain(`the watermark file ${legacyFile()} is not valid JSON (truncated?)`);
      const run = await repair();
      expect(oneLineError(run)).toContain(`cannot repair ${legacyFile()}: it is not valid JSON (truncated?), and a damaged file's level is never guessed from what is left of it; run again with --legacy-level <level>`);
      for (const level of [13, 1000, 1_234_567, 2_000_000]) expect(oneLineError(await sign(level))).toContain(legacyFile());
    });

    test('with --legacy-level 1234567: levels 1000, 1500 and 1,234,567 stay refused, the level above signs', async () => {
      const run = await repair('--legacy-level', '1234567');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`repaired ${legacyFile()}: not valid JSON (truncated?); replaced by a mark covering level 1234567`);
      for (const level of [12, 1000, 1500]) expect(oneLineError(await sign(level))).toMatch(/refusing to sign/);
      // the whole level: no round of it signs
      await nothingNewAtOrBelow({ level: 1_234_567, round: 2 ** 31 - 1 });
      await signs(1_234_568);
      // what stands in its place is tezsigner's marker, which a format-1 process can neither read nor replace
      expect((await readdir(legacyFile())).sort()).toEqual(['moved.json']);
    });
  });

  test("a damaged marker (tezsigner's folder in place of block.json): put back, with no level to state", async () => {
    for (const level of [100, 101]) await signs(level);
    await writeFile(join(legacyFile(), 'moved.json'), 'garbage');
    expect(oneLineError(await sign(102))).toContain(`the watermark file ${legacyFile()} is a folder that is not tezsigner's marker`);
    const run = await repair();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`repaired ${legacyFile()}: a folder that is not tezsigner's marker (it holds no readable moved.json); tezsigner's marker put back`);
    await nothingNewAtOrBelow({ level: 101, round: 0 });
    await signs(101, 1);
  });
});
