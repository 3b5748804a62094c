import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../../test-support/errors.js';
import { ensurePrivateDirectory, inspectPrivateDirectory } from './private-directory.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-private-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('inspectPrivateDirectory (a dry run) changes nothing that ensurePrivateDirectory fixes', () => {
  it('says a folder others can open is too open and leaves its mode; ensurePrivateDirectory then restricts it', async () => {
    const folder = join(dir, 'keys');
    await mkdir(folder);
    await chmod(folder, 0o755);
    const ctime = (await stat(folder)).ctimeMs;
    expect(await inspectPrivateDirectory(folder)).toEqual([
      `the folder ${folder} is accessible to others (mode 755); left as it is (nothing is changed here): a command that writes restricts it to 700`,
    ]);
    expect(await modeOf(folder)).toBe('755');
    expect((await stat(folder)).ctimeMs).toBe(ctime);
    expect(await ensurePrivateDirectory(folder)).toEqual([`the folder ${folder} was accessible to others (mode 755); restricted it to 700`]);
    expect(await modeOf(folder)).toBe('700');
    expect(await inspectPrivateDirectory(folder)).toEqual([]);
  });

  it('makes no missing folder, and refuses a file where a folder should be, as ensurePrivateDirectory does', async () => {
    expect(await inspectPrivateDirectory(join(dir, 'watermarks'))).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    await writeFile(join(dir, 'keys'), '');
    for (const check of [inspectPrivateDirectory, ensurePrivateDirectory]) {
      expect((await rejection(check(join(dir, 'keys')))) as Error).toMatchObject({ code: 'CONFIG_INVALID', message: `${join(dir, 'keys')} exists but is not a folder` });
    }
  });
});
