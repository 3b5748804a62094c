import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { closeFd, fstatFd, lstatPath, openFd, readFd } from './fd-calls.js';

/**
 * O_NONBLOCK: opening a FIFO for reading waits for a writer, forever if none comes (and holds a
 * thread of libuv's pool meanwhile); non-blocking, the open returns at once and fstat says what
 * it is. O_NOFOLLOW: a symbolic link is refused (ELOOP), never followed.
 */
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Raised for an entry that is there but is not a regular file: `what` says what it is. */
export class NotARegularFile extends Error {
  readonly code = 'ENOTREGULAR';
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path} is ${what}, not a regular file`);
  }
}

/**
 * The text of the regular file at `path`, or undefined when nothing is there. Anything else
 * (a FIFO, a socket, a device, a folder, a symbolic link) is NotARegularFile, found without
 * blocking and without reading from it; other failures are the file system's errors.
 */
export async function readRegularFile(path: string): Promise<string | undefined> {
  return (await readRegularFileAndInfo(path))?.text;
}

/** readRegularFile, with what fstat said of the file it read (its mode, its owner). */
export async function readRegularFileAndInfo(path: string): Promise<{ readonly text: string; readonly info: Stats } | undefined> {
  let fd: number;
  try {
    fd = await openFd(path, FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // ELOOP: a link; ENXIO: a socket (or a device without its driver); EISDIR: a folder
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') throw await notRegular(path, err);
    throw err;
  }
  try {
    const info = await fstatFd(fd);
    if (!info.isFile()) throw new NotARegularFile(path, kindOf(info));
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(info.size + 1, 256));
      const { bytesRead } = await readFd(fd, chunk, 0, chunk.length, null);
      chunks.push(chunk.subarray(0, bytesRead));
      // a regular file reads short only at its end: one read for a file that is not growing
      if (bytesRead < chunk.length) break;
    }
    return { text: Buffer.concat(chunks).toString('utf8'), info };
  } finally {
    await closeFd(fd).catch(() => undefined);
  }
}

/** What a file-system entry is, in words for a message: `a FIFO`, `a socket`, `a folder`. */
export function kindOf(info: Stats): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a folder';
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

async function notRegular(path: string, cause: unknown): Promise<NotARegularFile> {
  const info = await lstatPath(path).catch(() => undefined);
  const what = info !== undefined ? kindOf(info) : (cause as NodeJS.ErrnoException).code === 'ELOOP' ? 'a symbolic link' : 'not a regular file';
  return new NotARegularFile(path, what);
}
