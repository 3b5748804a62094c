import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `data` so that, after a crash at any point, the file holds either the
 * old or the new content, and once this resolves the new content is on disk: a private temp
 * file (0600) in the same folder, fsync, rename over the target, fsync the folder (the rename
 * itself is only durable once the folder's entry is flushed).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await commitTemp(path, data, mode, 'rename');
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
  await commitTemp(path, data, mode, 'link', flushFolder);
}

async function commitTemp(
  path: string,
  data: string | Uint8Array,
  mode: number,
  commit: 'rename' | 'link',
  flushFolder: (dir: string) => Promise<void> = fsyncDirectory,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  let tempGone = false;
  try {
    handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (commit === 'rename') {
      await rename(temp, path);
      tempGone = true;
    } else {
      await link(temp, path);
    }
  } finally {
    if (handle !== undefined && !tempGone) await unlink(temp).catch(() => undefined);
  }
  await flushFolder(dir);
}

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
