import type { Stats } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { fsyncDirectory } from './atomic-write.js';
import { diskFullMessage, isDiskFull } from './disk-full.js';

const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `path` a directory only its owner can enter: created 0700, or tightened to 0700 when it
 * exists with group/other access. Tightening (rather than refusing to start) is deliberate: the
 * fix is unambiguous, only removes access, and a folder made beforehand with the default umask
 * (0755) is the common case; the caller gets a warning to show. A folder owned by another user
 * is refused with CONFIG_INVALID, since that user could swap key or watermark files.
 * Returns the warnings (empty when nothing had to change).
 */
export async function ensurePrivateDirectory(path: string): Promise<string[]> {
  const warnings: string[] = [];
  let created: string | undefined;
  try {
    created = await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw configInvalid(`${path} exists but is not a folder`, err);
    if (code === 'ENOTDIR') throw configInvalid(`cannot create the folder ${path}: part of that path is a file, not a folder`, err);
    if (isDiskFull(err)) throw configInvalid(diskFullMessage(dirname(path), err), err);
    throw configInvalid(`cannot create the folder ${path}: ${describe(err)}`, err);
  }
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw configInvalid(`cannot read the folder ${path}: ${describe(err)}`, err);
  }
  refuseForeignFolder(path, info);
  // mkdir's mode is filtered by the umask, so even a folder just made can need a chmod.
  if ((info.mode & 0o777) !== PRIVATE_DIR_MODE) {
    try {
      await chmod(path, PRIVATE_DIR_MODE);
    } catch (err) {
      throw configInvalid(`cannot restrict the folder ${path} to its owner (chmod 700): ${describe(err)}`, err);
    }
    if (created === undefined) {
      warnings.push(`the folder ${path} was accessible to others (mode ${octal(info.mode)}); restricted it to 700`);
    }
  }
  // A newly made folder survives a crash only once its parent's entry is on disk.
  if (created !== undefined) await fsyncCreatedChain(created, path);
  return warnings;
}

/**
 * What ensurePrivateDirectory would have to fix in `path`, changing nothing (for a dry run): a
 * folder open to others is said, not restricted, and a missing one is not made. A folder that is
 * not one, or is another user's, is refused as there.
 */
export async function inspectPrivateDirectory(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw configInvalid(`cannot read the folder ${path}: ${describe(err)}`, err);
  }
  refuseForeignFolder(path, info);
  if ((info.mode & 0o777) === PRIVATE_DIR_MODE) return [];
  return [`the folder ${path} is accessible to others (mode ${octal(info.mode)}); left as it is (nothing is changed here): a command that writes restricts it to 700`];
}

/** A folder to keep keys or marks in: a folder, and this process's user's. */
function refuseForeignFolder(path: string, info: Stats): void {
  if (!info.isDirectory()) throw configInvalid(`${path} exists but is not a folder`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw configInvalid(`the folder ${path} belongs to user ${info.uid}, not to this process's user ${uid}`);
  }
}

async function fsyncCreatedChain(firstCreated: string, leaf: string): Promise<void> {
  let dir = leaf;
  for (;;) {
    const parent = dirname(dir);
    try {
      await fsyncDirectory(parent);
    } catch (err) {
      throw configInvalid(`cannot flush the folder ${parent} to disk: ${describe(err)}`, err);
    }
    if (dir === firstCreated || parent === dir) return;
    dir = parent;
  }
}

/**
 * A file-system failure in a few words for a message that already names the path: Node's
 * "ENOENT: no such file or directory, open '/x'" becomes "ENOENT: no such file or directory".
 */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return err.message;
  const words = err.message.startsWith(`${code}: `) ? err.message.slice(code.length + 2).split(', ')[0] : err.message;
  return `${code}: ${words}`;
}

export const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');
