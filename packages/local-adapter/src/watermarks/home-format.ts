import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { describe } from '../files/private-directory.js';
import { STORE_FORMAT } from './store-format.js';

/** The file in `<home>/watermarks` that says which format its marks are in. */
export const FORMAT_FILE_NAME = 'format.json';

/**
 * Writes the format this code keeps the marks in to `<directory>/format.json` the first time,
 * and refuses to open a home whose file names a later one (CONFIG_INVALID): that home was
 * taken over by a newer tezsigner, whose marks this one may not see. The file is for people
 * and for starting; each commit checks the format again in its mark folder (store-format.ts).
 */
export async function checkHomeFormat(directory: string): Promise<void> {
  const path = `${directory}${sep}${FORMAT_FILE_NAME}`;
  let format = await readFormat(path);
  if (format === undefined) {
    await createFileAtomic(path, `${JSON.stringify({ format: STORE_FORMAT })}\n`).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw configInvalid(`cannot write ${path}: ${describe(err)}`, err);
    });
    format = (await readFormat(path)) ?? STORE_FORMAT;
  }
  if (format > STORE_FORMAT) {
    throw configInvalid(
      `the watermarks in ${directory} are in format ${format}, written by a newer tezsigner (this one knows format ${STORE_FORMAT}): run the newer version`,
    );
  }
}

async function readFormat(path: string): Promise<number | undefined> {
  let text;
  try {
    text = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configInvalid(`cannot read ${path}: ${describe(err)}`, err);
  }
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (!Number.isSafeInteger(format) || (format as number) < 1) {
    throw configInvalid(`${path} should hold {"format": ${STORE_FORMAT}}; write that back if this tezsigner made the home`);
  }
  return format as number;
}
