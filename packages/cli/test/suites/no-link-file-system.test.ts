import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { CommandChild } from '../support/command-child.js';
import { homeWithKeys, oneLineError, runTezsigner } from '../support/run-cli.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';
import { MAIN } from '../support/serve-child.js';

/**
 * `tezsigner serve` with its watermarks on FAT, which has no hard links: a commit creates each
 * mark with link(2), so every signature would fail; serve must refuse to start, in one line
 * naming the folder, its file system and the fix. Two homes: one on the disk with only its
 * watermarks folder on FAT (a FAT image mounted over it), one wholly on FAT with its key file
 * copied in (FAT stores no modes: the mount shows every file 0700, and the key file check must
 * not be what speaks). The images are mounted by the kernel's vfat (as root), else by fusefat
 * where the kernel has no vfat; where neither can, the test says so and checks nothing.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const REPO = resolve(import.meta.dirname, '../../../..');
const PASSPHRASE = 'no link passphrase';
const SBIN_PATH = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;

let scratch: string;
const mounts: string[] = [];
/** the mounts' type (as mount(8) names it), once both are mounted */
let mountedAs: string | undefined;
/** the homes to serve, each with the watermarks folder that is on FAT */
const homes: Array<{ readonly what: string; readonly home: string; readonly watermarks: string }> = [];

/** Makes a 1 MiB FAT image and mounts it on `dir` as vfat, else with fusefat: the mount's type, or why it could not. */
function mountFat(image: string, dir: string): { type: string } | { why: string } {
  try {
    // mkfs.vfat is in /usr/sbin, which a user's PATH may lack
    execFileSync('mkfs.vfat', ['-C', image, '1024'], { stdio: 'ignore', env: { ...process.env, PATH: SBIN_PATH } });
  } catch (err) {
    return { why: `mkfs.vfat (dosfstools) fails: ${(err as Error).message}` };
  }
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const attempts: Array<[string, string, readonly string[]]> = [
    ['vfat', 'mount', ['-t', 'vfat', '-o', `loop,uid=${uid},gid=${gid},umask=077`, image, dir]],
    ['fuse.fusefat', 'fusefat', ['-o', 'rw+', image, dir]],
  ];
  const why: string[] = [];
  for (const [type, command, args] of attempts) {
    try {
      execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: SBIN_PATH } });
      mounts.push(dir);
      return { type };
    } catch (err) {
      const { stderr, message } = err as { stderr?: Buffer; message: string };
      why.push(`${command}: ${(stderr?.toString() || message).trim().split('\n')[0]}`);
    }
  }
  return { why: why.join('; ') };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tezsigner-no-link-'));
  const disk = join(scratch, 'disk-home');
  await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], PASSPHRASE, disk);
  const diskWatermarks = join(disk, 'watermarks');
  const fat = join(scratch, 'fat');
  await Promise.all([mkdir(diskWatermarks, { mode: 0o700 }), mkdir(fat, { mode: 0o700 })]);
  const first = mountFat(join(scratch, 'watermarks.img'), diskWatermarks);
  const second = 'why' in first ? first : mountFat(join(scratch, 'home.img'), fat);
  if ('why' in second) {
    console.log(`no-link file system: cannot mount a FAT image here (not root? neither vfat nor fusefat?): skipped (${second.why})`);
    return;
  }
  // the whole home on FAT, as a baker copying it onto a FAT volume would have it (copied by
  // content: copyFile sets the mode, which fusefat refuses)
  const fatHome = join(fat, 'home');
  await mkdir(join(fatHome, 'keys'), { recursive: true });
  await writeFile(join(fatHome, 'keys', 'baker.json'), await readFile(join(disk, 'keys', 'baker.json')));
  homes.push({ what: 'its watermarks folder', home: disk, watermarks: diskWatermarks }, { what: 'the whole home', home: fatHome, watermarks: join(fatHome, 'watermarks') });
  mountedAs = second.type;
});

afterAll(async () => {
  try {
    for (const dir of mounts.splice(0).reverse()) execFileSync('umount', [dir]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

describe('a file system without link(2) (FAT) is refused in one line naming the folder, its file system and the fix', () => {
  test('by serve at start, with its watermarks folder on FAT, and with the whole home on FAT', async () => {
    if (mountedAs === undefined) return;
    // no mode on FAT: the key file shows what the mount gives, 0700 (no access for others)
    expect((await stat(join(homes[1]!.home, 'keys', 'baker.json'))).mode & 0o777).toBe(0o700);
    // the command bundled from the sources, as it ships: node starts it in a fraction of tsx's time
    const node = await nodeEntry(MAIN);
    const exits = await Promise.all(
      homes.map(
        ({ home }) =>
          new CommandChild(process.execPath, [...node.args, 'serve', '--address', '127.0.0.1', '--port', '0', '--no-metrics'], {
            cwd: REPO,
            env: { ...process.env, ...node.env, TEZSIGNER_HOME: home, TEZSIGNER_PASSPHRASE: PASSPHRASE },
          }).exited,
      ),
    );
    for (const [i, { what, watermarks }] of homes.entries()) {
      const exit = exits[i]!;
      expect(exit.code, what).not.toBe(0);
      expect(exit.stderr, what).not.toContain('listening on');
      // the file system's check speaks, not a mode check
      const errors = exit.stderr.split('\n').filter((line) => line.startsWith('tezsigner: error: '));
      expect(errors, what).toEqual([
        `tezsigner: error: the file system of ${watermarks} (${mountedAs}) has no hard links (link(2) fails: EPERM: operation not permitted), ` +
          `and each watermark commit makes one: put ${watermarks} on a local disk (ext4, xfs, btrfs, zfs) or use --watermark-store azure-table`,
      ]);
      // the trial commit left nothing behind, and no mark was made
      expect(await readdir(watermarks), what).toEqual([]);
    }
  });

  test('keys import into a home on FAT fails in one line naming the file system and the fix, and leaves no file', async () => {
    if (mountedAs === undefined) return;
    const home = join(dirname(homes[1]!.home), 'new-home');
    const run = await runTezsigner(['keys', 'import', KEY.secret_key, '--name', 'baker'], { env: { TEZSIGNER_HOME: home, TEZSIGNER_PASSPHRASE: PASSPHRASE } });
    const keys = join(home, 'keys');
    expect(oneLineError(run)).toBe(
      `tezsigner: error: cannot write the key file ${join(keys, 'baker.json')}: the file system of ${keys} (${mountedAs}) has no hard links ` +
        '(link(2) fails: EPERM: operation not permitted), with which a key file is created so that two imports never overwrite each other: ' +
        'put the home on a local disk (ext4, xfs, btrfs, zfs)',
    );
    expect(await readdir(keys)).toEqual([]);
  });
});
