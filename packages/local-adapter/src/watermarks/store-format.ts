import { storeUnavailable } from '@tezsigner/core';

/**
 * The layout of `<home>/watermarks` this code writes: 1 was one `<kind>.json` per watermark,
 * rewritten in place under a lock; 2 a folder per watermark and a file per mark, with a marker
 * file in place of `<kind>.json`; 3 the same with a marker folder there and the format-1 lock
 * made a file, which no release of format 1 can write through or take (legacy-migration.ts).
 */
export const STORE_FORMAT = 3;

/**
 * A file named `format-<n>` in a mark folder says a process of format n has taken the folder
 * over: a commit reads it in the listing that decides the commit, so no process of an older
 * format can count a commit made after it appeared.
 */
const FORMAT_FILE = /^format-(\d{1,6})$/;

/** The name of the file that claims a mark folder for this format. */
export const FORMAT_CLAIM = `format-${STORE_FORMAT}`;

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

export const LEGACY_REPAIR_HINT =
  'stop signing with this key until it is fixed: run `tezsigner watermarks repair`, which says when it needs `--legacy-level <level>` (the highest level this key may have signed, or the chain head); it never lowers a mark';
