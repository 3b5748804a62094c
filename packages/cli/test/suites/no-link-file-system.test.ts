import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { CommandChild } from '../support/command-child.js';
import { homeWithKeys } from '../support/run-cli.js';
import { BUNDLE_NODE_PATH, bundledEntry } from '../support/serve-bundle.js';
import { MAIN } from '../support/serve-child.js';

/**
 * `tezsigner serve` with its watermarks on FAT, which has no hard links: a commit creates each
 * mark with link(2), so every signature would fail; serve must refuse to start, in one line
 * naming the folder, its file system and the fix. Only the watermarks folder is on FAT (a FAT
 * image mounted over it): the key files stay on the disk, as key import needs link(2) too.
 * The image is mounted by the kernel's vfat (as root), else by fusefat where the kernel has no
 * vfat; where neither can mount, the test says so and checks nothing.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const REPO = resolve(import.meta.dirname, '../../../..');

let scratch: string;
let watermarks: string;
let env: Record<string, string>;
/** the type the mount shows (as mount(8) names it), once mounted */
let mountedAs: string | undefined;

/** Mounts `image` on `dir` as vfat, or with fusefat; the mount's type, or why neither worked. */
function mountFat(image: string, dir: string): { type: string } | { why: string } {
  const why: string[] = [];
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const attempts: Array<[string, string, readonly string[]]> = [
    ['vfat', 'mount', ['-t', 'vfat', '-o', `loop,uid=${uid},gid=${gid},umask=077`, image, dir]],
    ['fuse.fusefat', 'fusefat', ['-o', 'rw+', image, dir]],
  ];
  for (const [type, command, args] of attempts) {
    try {
      execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
  const image = join(scratch, 'fat.img');
  try {
    // mkfs.vfat is in /usr/sbin, which a user's PATH may lack
    execFileSync('mkfs.vfat', ['-C', image, '1024'], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` } });
  } catch (err) {
    console.log(`no-link file system: cannot make a FAT image (mkfs.vfat, from dosfstools, missing?): skipped (${(err as Error).message})`);
    return;
  }
  ({ env } = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'no link passphrase', join(scratch, 'home')));
  watermarks = join(scratch, 'home', 'watermarks');
  await mkdir(watermarks, { mode: 0o700 });
  const mounted = mountFat(image, watermarks);
  if ('why' in mounted) console.log(`no-link file system: cannot mount a FAT image here (not root? no vfat nor fusefat?): skipped (${mounted.why})`);
  else mountedAs = mounted.type;
});

afterAll(async () => {
  try {
    if (mountedAs !== undefined) execFileSync('umount', [watermarks]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('serve refuses watermarks on FAT (no link(2)) at start, in one line naming the folder, its file system and the fix', async () => {
  if (mountedAs === undefined) return;
  // the command bundled from the sources, as it ships: node starts it in a fraction of tsx's time
  const serve = new CommandChild(process.execPath, [await bundledEntry(MAIN), 'serve', '--address', '127.0.0.1', '--port', '0', '--no-metrics'], {
    cwd: REPO,
    env: { ...process.env, NODE_PATH: BUNDLE_NODE_PATH, ...env },
  });
  const exit = await serve.exited;
  expect(exit.code).not.toBe(0);
  expect(exit.stderr).not.toContain('listening on');
  // the file system's check speaks, not the folder's mode (FAT stores none: the mount gives 0700)
  const errors = exit.stderr.split('\n').filter((line) => line.startsWith('tezsigner: error: '));
  expect(errors).toEqual([
    `tezsigner: error: the file system of ${watermarks} (${mountedAs}) has no hard links (link(2) fails: EPERM: operation not permitted), ` +
      `and each watermark commit makes one: put ${watermarks} on a local disk (ext4, xfs, btrfs, zfs) or use --watermark-store azure-table`,
  ]);
  // the trial commit left nothing behind, and no mark was made
  expect(await readdir(watermarks)).toEqual([]);
});
