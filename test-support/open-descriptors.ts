// What this process holds open, for tests that check nothing they opened outlives them: a
// FileHandle left to the garbage collector makes Node warn ("Closing file descriptor N on
// garbage collection") and keeps its file open until then. Linux only (/proc).
import { readdir, readlink } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** The paths of this process's open descriptors inside `folder`. */
export async function descriptorsUnder(folder: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(join('/proc/self/fd', fd)).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${folder}${sep}`)).sort();
}
