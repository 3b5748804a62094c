import { sep } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { createFileAtomic, writeFileAtomic } from '../files/atomic-write.js';
import { diskFullMessage, isDiskFull } from '../files/disk-full.js';
import { describe } from '../files/private-directory.js';
import { NotARegularFile, readRegularFile } from '../files/regular-file.js';
import { STORE_FORMAT } from './store-format.js';

/** The file in `<home>/watermarks` that says which format its marks are in. */
export const FORMAT_FILE_NAME = 'format.json';

/**
 * Writes the format this code keeps the marks in to `<directory>/format.json` (the first time,
 * or over an older format's number), and refuses to open a home whose file names a later one
 * (CONFIG_INVALID): that home was taken over by a newer tezsigner, whose marks this one may not
 * see. An older release started on a home this one has opened refuses to start for the same
 * reason. The file is for people and for starting; each commit checks the format again in its
 * mark folder (store-format.ts).
 */
export async function checkHomeFormat(directory: string): Promise<void> {
  const path = `${directory}${sep}${FORMAT_FILE_NAME}`;
  const content = `${JSON.stringify({ format: STORE_FORMAT })}\n`;
  let format = await readFormat(path);
  if (format === undefined) {
    await createFileAtomic(path, content).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(directory, path, err);
    });
    format = (await readFormat(path)) ?? STORE_FORMAT;
  }
  if (format > STORE_FORMAT) {
    throw configInvalid(
      `the watermarks in ${directory} are in format ${format}, written by a newer tezsigner (this one knows format ${STORE_FORMAT}): run the newer version`,
    );
  }
  if (format < STORE_FORMAT) await writeFileAtomic(path, content).catch((err: unknown) => Promise.reject(cannotWrite(directory, path, err)));
}

const cannotWrite = (directory: string, path: string, err: unknown) =>
  configInvalid(isDiskFull(err) ? diskFullMessage(directory, err) : `cannot write ${path}: ${describe(err)}`, err);

async function readFormat(path: string): Promise<number | undefined> {
  let text;
  try {
    text = await readRegularFile(path);
  } catch (err) {
    if (err instanceof NotARegularFile) throw configInvalid(`${path} is ${err.what}, not a file: move it away and start again (tezsigner writes it back)`, err);
    throw configInvalid(`cannot read ${path}: ${describe(err)}`, err);
  }
  if (text === undefined) return undefined;
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
