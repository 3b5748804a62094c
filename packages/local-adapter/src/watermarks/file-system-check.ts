import { randomBytes } from 'node:crypto';
import { statfs, unlink } from 'node:fs/promises';
import { sep } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { fileSystemType } from '../files/file-system-type.js';
import { lacksHardLinks } from '../files/hard-links.js';
import { diskFullMessage, isDiskFull } from '../files/disk-full.js';
import { describe } from '../files/private-directory.js';

/** statfs(2) f_type of file systems held in memory only (linux/magic.h). */
const IN_MEMORY = new Map([
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
]);

/**
 * Checks, once at start, that the file system under `directory` can keep watermarks: a commit
 * needs link(2), which fails where it is missing (some FUSE and network mounts) and would make
 * every signature fail; a home in memory is allowed (tests, containers) but every mark goes at
 * the next reboot, so it warns. Returns the warnings; CONFIG_INVALID when link(2) fails, or
 * when the disk is full (said as such, naming the folder).
 */
export async function checkFileSystem(directory: string): Promise<string[]> {
  const warnings: string[] = [];
  const kind = await statfs(directory).then(
    (info) => IN_MEMORY.get(info.type),
    () => undefined,
  );
  if (kind !== undefined) {
    warnings.push(
      `the watermarks in ${directory} are on ${kind}, held in memory: they are lost at reboot, and a signer restarted then could sign again what it signed before; put the home on a disk`,
    );
  }
  try {
    await tryCommit(directory);
  } catch (err) {
    const type = await fileSystemType(directory);
    const named = type === undefined ? directory : `${directory} (${type})`;
    // a full disk is no fault of the file system's kind: the fix is room, not another store
    if (isDiskFull(err)) throw configInvalid(diskFullMessage(directory, err, type), err);
    const fix = `put ${directory} on a local disk (ext4, xfs, btrfs, zfs) or use --watermark-store azure-table`;
    if (lacksHardLinks(err)) {
      throw configInvalid(`the file system of ${named} has no hard links (link(2) fails: ${describe(err)}), and each watermark commit makes one: ${fix}`, err);
    }
    throw configInvalid(`the file system of ${named} cannot hold the file watermark store (${describe(err)}): a commit creates each mark with link(2); ${fix}`, err);
  }
  return warnings;
}

/**
 * Does in `directory` what a commit does (a durable write of a mark's size, a link, an unlink)
 * with a file no reader takes for a mark; throws the file system's error.
 */
export async function tryCommit(directory: string): Promise<void> {
  const linked = `${directory}${sep}.fs-check.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await createFileAtomic(linked, TRIAL_CONTENT, 0o600, async () => undefined);
  } finally {
    await unlink(linked).catch(() => undefined);
  }
}

const TRIAL_CONTENT = `${JSON.stringify({ level: 0, round: 0, hash: '0'.repeat(64), signature: 'x'.repeat(99) })}\n`;
