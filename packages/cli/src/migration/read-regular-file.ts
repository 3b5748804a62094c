import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { TezsignerError } from '@tezsigner/core';
import { fileErrorMeaning } from '../io/describe-failure.js';

/** What a file that is not a regular file is, in words. */
function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isDirectory()) return 'a folder';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const refused = (path: string, what: string) =>
  new TezsignerError('CONFIG_INVALID', `${path} is ${what}, not a regular file: an import reads only regular files (nothing was imported)`);

/**
 * The text of a file another signer left, refused at once when it is anything but a regular
 * file (a symbolic link to one is followed, as octez does). A plain open of a FIFO waits for a
 * writer that may never come: the open is non-blocking, and the file is checked before it is read.
 */
export async function readRegularFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    // a socket cannot be opened at all
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') throw refused(path, 'a socket');
    throw new TezsignerError('CONFIG_INVALID', `cannot read ${path}: ${fileErrorMeaning(err)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw refused(path, kindOf(info));
    return await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof TezsignerError) throw err;
    throw new TezsignerError('CONFIG_INVALID', `cannot read ${path}: ${fileErrorMeaning(err)}`);
  } finally {
    await handle.close();
  }
}
