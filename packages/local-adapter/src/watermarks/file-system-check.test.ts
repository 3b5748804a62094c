import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFileSystem } from './file-system-check.js';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('checkFileSystem', () => {
  it('passes a disk quietly and leaves nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tezsigner-fs-'));
    made.push(dir);
    expect(await checkFileSystem(dir)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('warns that a home in memory (tmpfs: /dev/shm) loses its marks at reboot', async () => {
    const dir = await mkdtemp('/dev/shm/tezsigner-fs-');
    made.push(dir);
    const warnings = await checkFileSystem(dir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tmpfs.*lost at reboot/);
  });

  it('refuses a folder where a commit cannot be made, naming it and why (not hard links: the trial file cannot even be made)', async () => {
    const folder = join(tmpdir(), 'tezsigner-no-such-folder', 'watermarks');
    const refused = checkFileSystem(folder);
    await expect(refused).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const { message } = (await refused.catch((err: unknown) => err)) as Error;
    expect(message).toContain(`the file system of ${folder} cannot hold the file watermark store (ENOENT: no such file or directory)`);
    expect(message).not.toContain('no hard links');
  });
});
