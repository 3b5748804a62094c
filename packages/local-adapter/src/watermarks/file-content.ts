import { storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { describe } from '../files/private-directory.js';
import { NotARegularFile, readRegularFile } from '../files/regular-file.js';

/** The text of one watermark file and what it holds; `text` undefined when there is no file. */
export interface WatermarkFileContent {
  readonly text: string | undefined;
  readonly watermark: StoredWatermark | undefined;
}

/**
 * Reads one watermark file, `{"level", "round", "hash", "signature"?}` as octez names them.
 * No file means no mark yet. Anything else that is not exactly such an object is STORE_CORRUPT
 * naming the file: a mark we cannot read must stop signing, never be taken as "no mark".
 */
export async function readWatermarkFile(path: string): Promise<WatermarkFileContent> {
  let text: string | undefined;
  try {
    // never through a link (tezsigner makes none, and a link, even a dangling one, is not a
    // mark), and never blocking on a FIFO or a device named like a mark
    text = await readRegularFile(path);
  } catch (err) {
    if (err instanceof NotARegularFile) {
      const what = err.what === 'a symbolic link' ? 'a symbolic link, which tezsigner never makes' : `${err.what}, not a file`;
      throw storeCorrupt(`the watermark file ${path} is ${what}; ${REPAIR_HINT}`, err);
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw storeCorrupt(`the watermark file ${path} cannot be read (${describe(err)}); give it back to this user with mode 600`, err);
    }
    throw storeUnavailable(`cannot read the watermark file ${path}: ${describe(err)}`, err);
  }
  if (text === undefined) return { text: undefined, watermark: undefined };
  return { text, watermark: parseWatermark(text, path) };
}

/** What to do about a watermark file that cannot be read: the store never resets a mark by itself. */
export const REPAIR_HINT =
  'stop signing with this key until it is fixed: `tezsigner watermarks repair` sets it aside and keeps the mark at least as high (it never lowers one)';

export function serializeWatermark(watermark: StoredWatermark): string {
  const { level, round, hash, signature } = watermark;
  return `${JSON.stringify(signature === undefined ? { level, round, hash } : { level, round, hash, signature })}\n`;
}

function parseWatermark(text: string, path: string): StoredWatermark {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw storeCorrupt(`the watermark file ${path} is ${text === '' ? 'empty' : 'not valid JSON (truncated?)'}; ${REPAIR_HINT}`, err);
  }
  const problem = watermarkProblem(value);
  if (problem !== undefined) {
    throw storeCorrupt(`the watermark file ${path} is malformed (${problem}); ${REPAIR_HINT}`);
  }
  const { level, round, hash, signature } = value as StoredWatermark;
  return signature === undefined ? { level, round, hash } : { level, round, hash, signature };
}

/** Why `value` is not a stored watermark, or undefined when it is one. */
export function watermarkProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const record = value as Record<string, unknown>;
  if (!isPosition(record.level)) return 'level is not a non-negative integer';
  if (!isPosition(record.round)) return 'round is not a non-negative integer';
  if (typeof record.hash !== 'string' || !/^[0-9a-f]{64}$/.test(record.hash)) return 'hash is not 64 lowercase hex digits';
  if (record.signature !== undefined && (typeof record.signature !== 'string' || record.signature === '')) {
    return 'signature is not a string';
  }
  return undefined;
}

const isPosition = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
