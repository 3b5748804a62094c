import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { TezsignerError } from '@tezsigner/core';
import { fileKindOf } from '@tezsigner/local-adapter';
import { fileErrorMeaning } from '../io/describe-failure.js';

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
    if (!info.isFile()) throw refused(path, fileKindOf(info));
    return await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof TezsignerError) throw err;
    throw new TezsignerError('CONFIG_INVALID', `cannot read ${path}: ${fileErrorMeaning(err)}`);
  } finally {
    await handle.close();
  }
}
