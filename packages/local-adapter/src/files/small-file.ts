import { constants } from 'node:fs';
import { closeFd, openFd, readFd } from './fd-calls.js';

// Plain descriptors and one read: the spending ledger's entries are a few hundred bytes, and a
// fresh reader's cost is the number of calls it makes (readFile adds an fstat and a FileHandle)
const MAX_FILE = 4096;

/**
 * The text of a file of at most 4 KB (of a larger one, its first 4 KB), never through a link
 * (ELOOP); undefined when there is no file.
 */
export async function readSmallFile(path: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = await openFd(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const buffer = Buffer.alloc(MAX_FILE);
    const { bytesRead } = await readFd(fd, buffer, 0, MAX_FILE, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await closeFd(fd).catch(() => undefined);
  }
}
