import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { closeFd, fsyncFd, linkPath, openFd, unlinkPath, writeFd } from './fd-calls.js';

/**
 * The temp file is opened O_DSYNC where the platform has it: each write returns once its bytes
 * and the size that reaches them are on disk (what fdatasync promises, and all a new file's
 * content needs), so the write and its flush are one call instead of two. Elsewhere: fsync.
 */
const SYNCED_WRITES = constants.O_DSYNC;
const TEMP_FLAGS = SYNCED_WRITES === undefined ? 'wx' : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | SYNCED_WRITES;

// A temp name must not be one a dead process left behind (its pid may be ours now): random per
// process, then counted, which spares each write a call for random bytes.
const TEMP_NAMES = randomBytes(6).toString('hex');
let tempsNamed = 0;
const tempSuffix = (): string => `${TEMP_NAMES}${(tempsNamed++).toString(36)}`;

/**
 * Replaces `path` with `data` so that, after a crash at any point, the file holds either the
 * old or the new content, and once this resolves the new content is on disk: a private temp
 * file (0600) in the same folder, written durably, renamed over the target, then the folder
 * flushed (the rename itself is only durable once the folder's entry is).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await commitTemp(await writeTemp(path, data, mode), path, 'rename', fsyncDirectory);
}

/**
 * Like writeFileAtomic but only creates: fails with EEXIST (and changes nothing) when `path`
 * exists, even if another process creates it at the same moment, because link(2), unlike
 * rename(2), never replaces its target.
 */
export async function createFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
  flushFolder: (dir: string) => Promise<void> = fsyncDirectory,
): Promise<void> {
  await linkTemp(await writeTemp(path, data, mode), path, flushFolder);
}

/** A file written durably under a temporary name beside its place (stageFile). */
export interface StagedFile {
  /** links it into place as createFileAtomic does (EEXIST when the name is taken), the temporary name removed */
  link(flushFolder?: (dir: string) => Promise<void>): Promise<void>;
  /** removes it, once its writing has ended; never throws */
  drop(): Promise<void>;
}

/**
 * createFileAtomic in two steps: the temporary file is written durably from now on, while the
 * caller does something else, and nothing appears at `path` until `link()`. A crash before it
 * leaves a temporary name, which is clutter, never the file. Exactly one of link and drop is
 * called, once.
 */
export function stageFile(path: string, data: string | Uint8Array, mode = 0o600): StagedFile {
  const written = writeTemp(path, data, mode);
  // a failed write is link()'s to report; one dropped unlinked is nobody's
  written.catch(() => undefined);
  return {
    link: async (flushFolder = fsyncDirectory) => linkTemp(await written, path, flushFolder),
    drop: async () => {
      const temp = await written.catch(() => undefined);
      if (temp === undefined) return;
      await temp.closed.catch(() => undefined);
      await unlinkPath(temp.path).catch(() => undefined);
    },
  };
}

/** A temporary file written durably, and the closing of its descriptor (under way). */
interface TempFile {
  readonly path: string;
  readonly closed: Promise<unknown>;
}

async function writeTemp(path: string, data: string | Uint8Array, mode: number): Promise<TempFile> {
  const temp = `${dirname(path)}${sep}.${basename(path)}.${process.pid}.${tempSuffix()}.tmp`;
  const fd = await openFd(temp, TEMP_FLAGS, mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let written = 0; written < bytes.length; ) {
      written += (await writeFd(fd, bytes, written, bytes.length - written, null)).bytesWritten;
    }
    if (SYNCED_WRITES === undefined) await fsyncFd(fd);
  } catch (err) {
    await closeFd(fd).catch(() => undefined);
    await unlinkPath(temp).catch(() => undefined);
    throw err;
  }
  // the content is on disk: closing need not hold up what comes next
  return { path: temp, closed: closeFd(fd) };
}

/** Links (only creates) or renames (replaces) `temp` to `path`, then flushes the folder; the temp name is gone either way. */
async function commitTemp(temp: TempFile, path: string, commit: 'rename' | 'link', flushFolder: (dir: string) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  try {
    if (commit === 'rename') {
      await rename(temp.path, path);
    } else {
      await linkPath(temp.path, path);
      // the folder is flushed for the link while the temp name goes; a crash may leave that
      // name behind, which is clutter (cleaned up by whoever prunes the folder), never a mark
      await Promise.all([unlinkPath(temp.path).catch(() => undefined), flushFolder(dir)]);
      return;
    }
  } catch (err) {
    await unlinkPath(temp.path).catch(() => undefined);
    throw err;
  } finally {
    await temp.closed.catch(() => undefined);
  }
  await flushFolder(dir);
}

const linkTemp = (temp: TempFile, path: string, flushFolder: (dir: string) => Promise<void>) => commitTemp(temp, path, 'link', flushFolder);

export async function fsyncDirectory(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
