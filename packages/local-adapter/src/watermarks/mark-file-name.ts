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
export const isTempFileName = (name: string): boolean => name.startsWith('.') && name.endsWith('.tmp');
