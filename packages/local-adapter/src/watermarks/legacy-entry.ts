import { lstat } from 'node:fs/promises';
import { sep } from 'node:path';
import { storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { describe } from '../files/private-directory.js';
import { NotARegularFile, kindOf, readRegularFile } from '../files/regular-file.js';
import { watermarkProblem } from './file-content.js';
import { LEGACY_REPAIR_HINT, STORE_FORMAT } from './store-format.js';

/**
 * What stands at `<kind>.json`, where format 1 kept a watermark: nothing; a format-1 mark (a
 * regular file that parses whole); a marker saying the mark moved into the folder (format 2's
 * file, or from format 3 on a folder holding MARKER_FILE); or anything else, named (`why`
 * completes "the watermark file … is …").
 */
export type LegacyEntry =
  | { readonly state: 'none' }
  | { readonly state: 'mark'; readonly watermark: StoredWatermark }
  | { readonly state: 'moved'; readonly format: number; readonly folder: boolean }
  | { readonly state: 'damaged'; readonly why: string };

/** The file in a marker folder that says what the folder is, for people and for later formats. */
export const MARKER_FILE = 'moved.json';

export const markerContent = (kind: string): string => `${JSON.stringify({ format: STORE_FORMAT, moved: `${kind}/` })}\n`;

/**
 * Reads `<kind>.json` without following a link and without blocking on a FIFO or a device: it
 * is looked at (lstat) before it is opened, and opened non-blocking in case it changed since.
 */
export async function readLegacyEntry(path: string): Promise<LegacyEntry> {
  let info;
  try {
    info = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    throw storeUnavailable(`cannot read the watermark file ${path}: ${describe(err)}`, err);
  }
  if (info.isDirectory()) {
    const marker = await readText(`${path}${sep}${MARKER_FILE}`);
    const format = typeof marker === 'string' ? formatOf(marker) : undefined;
    if (format === undefined) return { state: 'damaged', why: `a folder that is not tezsigner's marker (it holds no readable ${MARKER_FILE})` };
    return { state: 'moved', format, folder: true };
  }
  if (!info.isFile()) return { state: 'damaged', why: kindOf(info) };
  const text = await readText(path);
  if (text === undefined) return { state: 'none' };
  if (typeof text !== 'string') return { state: 'damaged', why: text.what };
  const format = formatOf(text);
  if (format !== undefined) return { state: 'moved', format, folder: false };
  if (text === '') return { state: 'damaged', why: 'empty' };
  const value = parseJson(text);
  const problem = value === undefined ? 'not valid JSON (truncated?)' : watermarkProblem(value);
  if (problem !== undefined) return { state: 'damaged', why: value === undefined ? problem : `malformed (${problem})` };
  const { level, round, hash, signature } = value as StoredWatermark;
  return { state: 'mark', watermark: signature === undefined ? { level, round, hash } : { level, round, hash, signature } };
}

/** STORE_CORRUPT for a `<kind>.json` (or a file moved aside from there) that is neither a mark nor a marker. */
export const legacyDamaged = (path: string, why: string) => storeCorrupt(`the watermark file ${path} is ${why}; ${LEGACY_REPAIR_HINT}`);

async function readText(path: string): Promise<string | NotARegularFile | undefined> {
  try {
    return await readRegularFile(path);
  } catch (err) {
    if (err instanceof NotARegularFile) return err;
    throw storeUnavailable(`cannot read the watermark file ${path}: ${describe(err)}`, err);
  }
}

/** The format a marker names (`{"format": n, …}`), or undefined when `text` is not one. */
function formatOf(text: string): number | undefined {
  const value = parseJson(text);
  const format = typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
  return Number.isSafeInteger(format) && (format as number) >= 2 ? (format as number) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
