import { compareMarks } from '@tezsigner/core';
import type { WatermarkMark } from '@tezsigner/core';

/**
 * The name of the file that holds the mark at one (level, round): `<level>-<round>.json`.
 * The name *is* the position, so creating it exclusively (link(2) fails with EEXIST) is what
 * makes one position take one payload, whoever else is writing.
 */
export function markFileName(mark: Pick<WatermarkMark, 'level' | 'round'>): string {
  return `${mark.level}-${mark.round}.json`;
}

const MARK_FILE = /^(0|[1-9]\d{0,15})-(0|[1-9]\d{0,15})\.json$/;

/** The position a file name stands for, or undefined for any other file (temp files, strays). */
export function parseMarkFileName(name: string): { level: number; round: number } | undefined {
  const match = MARK_FILE.exec(name);
  if (match === null) return undefined;
  const level = Number(match[1]);
  const round = Number(match[2]);
  return Number.isSafeInteger(level) && Number.isSafeInteger(round) ? { level, round } : undefined;
}


/** Temp files of createFileAtomic: `.<name>.<pid>.<random>.tmp`. */
const TEMP_FILE = /^\.(.+)\.\d+\.[0-9a-z]+\.tmp$/;

/** The position a temp file of createFileAtomic is written for, or undefined for any other name. */
export function tempFileTarget(name: string): { level: number; round: number } | undefined {
  const match = TEMP_FILE.exec(name);
  return match === null ? undefined : parseMarkFileName(match[1] ?? '');
}

/** The highest mark file among `names`, by the position its name stands for. */
export function highestName(names: readonly string[]): { name: string; level: number; round: number } | undefined {
  let top: { name: string; level: number; round: number } | undefined;
  for (const name of names) {
    const position = parseMarkFileName(name);
    if (position !== undefined && (top === undefined || compareMarks(position, top) > 0)) top = { name, ...position };
  }
  return top;
}
