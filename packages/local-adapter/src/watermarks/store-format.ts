import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { describe } from '../files/private-directory.js';
import { watermarkProblem } from './file-content.js';

/**
 * The layout of `<home>/watermarks` this code writes: 1 was one `<kind>.json` per watermark,
 * rewritten in place under a lock; 2 is a folder per watermark and a file per mark.
 */
export const STORE_FORMAT = 2;

/**
 * What stands where format 1 kept a watermark, once its mark has moved into the folder: a
 * format-1 process reads it as a malformed mark and signs nothing (it can neither read nor
 * replace it without reading it first), and a process of a later format sees its number.
 */
export const movedMarker = (kind: string): string => `${JSON.stringify({ format: STORE_FORMAT, moved: `${kind}/` })}\n`;

/**
 * A file named `format-<n>` in a mark folder says a process of format n has taken the folder
 * over: a commit reads it in the listing that decides the commit, so no process of an older
 * format can count a commit made after it appeared.
 */
const FORMAT_FILE = /^format-(\d{1,6})$/;

/** The highest format that a folder listing claims, or undefined when none does. */
export function claimedFormat(names: readonly string[]): number | undefined {
  let highest: number | undefined;
  for (const name of names) {
    const match = FORMAT_FILE.exec(name);
    if (match !== null) highest = Math.max(highest ?? 0, Number(match[1]));
  }
  return highest;
}

export const newerFormat = (where: string, format: number) =>
  storeUnavailable(
    `${where} was taken over by a newer tezsigner (watermark format ${format}, this one knows ${STORE_FORMAT}): nothing is signed here; stop this process and run the newer one`,
  );

/** What a format-1 watermark file holds: nothing, a mark, or the marker left once it moved. */
export type LegacyFile = { readonly state: 'none' } | { readonly state: 'mark'; readonly watermark: StoredWatermark } | { readonly state: 'moved'; readonly format: number };

export const LEGACY_REPAIR_HINT =
  'stop signing with this key until it is fixed: `tezsigner watermarks repair --legacy-level <level>` replaces it with a mark at that level (the highest level this key may have signed, or the chain head); it never lowers a mark';

/** Reads a format-1 file; STORE_CORRUPT naming it and the fix when it is anything else. */
export async function readLegacyFile(path: string): Promise<LegacyFile> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'none' };
    if (code === 'ELOOP') throw storeCorrupt(`the watermark file ${path} is a symbolic link; ${LEGACY_REPAIR_HINT}`, err);
    if (code === 'EISDIR') throw storeCorrupt(`the watermark file ${path} is a folder; ${LEGACY_REPAIR_HINT}`, err);
    throw storeUnavailable(`cannot read the watermark file ${path}: ${describe(err)}`, err);
  }
  const value = parseJson(text);
  if (typeof value === 'object' && value !== null && Number.isSafeInteger((value as { format?: unknown }).format)) {
    return { state: 'moved', format: (value as { format: number }).format };
  }
  const problem = value === undefined ? 'not valid JSON' : watermarkProblem(value);
  if (problem !== undefined) throw storeCorrupt(`the watermark file ${path} is unreadable (${problem}); ${LEGACY_REPAIR_HINT}`);
  const { level, round, hash, signature } = value as StoredWatermark;
  return { state: 'mark', watermark: signature === undefined ? { level, round, hash } : { level, round, hash, signature } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
