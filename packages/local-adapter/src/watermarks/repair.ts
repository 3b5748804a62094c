import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, lstat, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WATERMARK_KINDS, compareMarks } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { createFileAtomic, writeFileAtomic } from '../files/atomic-write.js';
import { highestName, markFileName } from './mark-file-name.js';
import { readLegacyFile } from './store-format.js';
import { readWatermarkFile, serializeWatermark } from './file-content.js';

export interface RepairOptions {
  /** the level to give a format-1 file whose position cannot be read (the highest the key may have signed) */
  readonly legacyLevel?: number;
}

export interface RepairReport {
  /** one line per entry replaced, naming it and where its old content went */
  readonly repaired: readonly string[];
  /** what could not be repaired without the operator, and what to pass */
  readonly unresolved: readonly string[];
}

/**
 * A hash no payload has (a Blake2b preimage of zeros is out of reach): a mark that holds it
 * keeps its position taken, so nothing is signed at or below it, and answers no repeat.
 */
const NO_PAYLOAD = '0'.repeat(64);

/**
 * Makes every watermark of `<home>/watermarks` readable again without lowering any: an entry
 * named like a mark that is not a readable mark file of that position (empty, truncated,
 * garbage, a folder, a symbolic link) is set aside as `.<name>.set-aside.<random>` and replaced
 * by a mark at the same position, or higher when its content names a higher one, that matches
 * no payload. Each replacement is a rename(2) over the entry, so a signer running meanwhile
 * sees the old entry or the new mark, never a gap. A format-1 file is replaced the same way,
 * at the position it names, or else at `legacyLevel`.
 */
export async function repairWatermarks(directory: string, options: RepairOptions = {}): Promise<RepairReport> {
  const repaired: string[] = [];
  const unresolved: string[] = [];
  for (const chainId of await subfolders(directory)) {
    for (const pkh of await subfolders(join(directory, chainId))) {
      const keyFolder = join(directory, chainId, pkh);
      for (const kind of WATERMARK_KINDS) {
        const legacy = await repairLegacy(join(keyFolder, `${kind}.json`), options);
        if (legacy !== undefined) (legacy.startsWith('cannot') ? unresolved : repaired).push(legacy);
        const folder = join(keyFolder, kind);
        const info = await lstat(folder).catch(() => undefined);
        if (info === undefined) continue;
        if (!info.isDirectory()) {
          unresolved.push(`cannot repair ${folder}: it is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; replace it with the folder it stands for (mv)`);
          continue;
        }
        repaired.push(...(await repairFolder(folder)));
      }
    }
  }
  return { repaired, unresolved };
}

/** Repairs the highest entry of a mark folder until it is a readable mark (lower ones are pruned anyway). */
async function repairFolder(folder: string): Promise<string[]> {
  const done: string[] = [];
  for (;;) {
    const top = highestName(await readdir(folder));
    if (top === undefined) return done;
    const path = join(folder, top.name);
    const problem = await markProblem(path, top);
    if (problem === undefined) return done;
    const aside = setAsideName(path);
    const content = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }).catch(() => undefined);
    const named = content === undefined ? undefined : positionIn(content);
    const position = named !== undefined && compareMarks(named, top) > 0 ? named : top;
    const placeholder: StoredWatermark = { level: position.level, round: position.round, hash: NO_PAYLOAD };
    if (problem.folder) {
      // a folder cannot be renamed over: set it aside first; a signer may then take the free
      // position, which a folder never held a signature for
      await rename(path, aside);
      await createFileAtomic(join(folder, markFileName(placeholder)), serializeWatermark(placeholder)).catch(ignoreExists);
    } else {
      if (problem.file) await copyFile(path, aside);
      if (compareMarks(position, top) > 0) await createFileAtomic(join(folder, markFileName(placeholder)), serializeWatermark(placeholder)).catch(ignoreExists);
      await writeFileAtomic(path, serializeWatermark({ level: top.level, round: top.round, hash: NO_PAYLOAD }));
    }
    done.push(`${path}: ${problem.why}; replaced by a mark at level ${position.level} round ${position.round} that matches no payload${problem.file || problem.folder ? ` (the old entry is ${aside})` : ''}`);
  }
}

async function repairLegacy(path: string, options: RepairOptions): Promise<string | undefined> {
  try {
    await readLegacyFile(path);
    return undefined;
  } catch {
    // unreadable: repaired below
  }
  const content = await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }).catch(() => undefined);
  const named = content === undefined ? undefined : positionIn(content);
  const level = named?.level ?? options.legacyLevel;
  if (level === undefined) {
    return `cannot repair ${path}: it names no position; run again with --legacy-level <level> (the highest level this key may have signed, or the chain head)`;
  }
  const position = named !== undefined && named.level >= (options.legacyLevel ?? 0) ? named : { level, round: 0 };
  const aside = setAsideName(path);
  const info = await lstat(path);
  if (info.isDirectory()) await rename(path, aside);
  else if (info.isFile()) await copyFile(path, aside);
  await writeFileAtomic(path, serializeWatermark({ ...position, hash: NO_PAYLOAD }));
  return `${path}: unreadable; replaced by a mark at level ${position.level} round ${position.round} that matches no payload (the old entry is ${aside})`;
}

async function markProblem(path: string, top: { level: number; round: number }): Promise<{ why: string; file?: boolean; folder?: boolean } | undefined> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return { why: 'a symbolic link' };
  if (info.isDirectory()) return { why: 'a folder', folder: true };
  try {
    const { watermark } = await readWatermarkFile(path);
    if (watermark === undefined || compareMarks(watermark, top) === 0) return undefined;
    return { why: `it holds level ${watermark.level} round ${watermark.round}`, file: true };
  } catch (err) {
    return { why: err instanceof Error ? err.message.replace(/;.*$/, '') : 'unreadable', file: true };
  }
}

/** A position still legible in a damaged file (`"level":12` and maybe `"round":3`). */
function positionIn(text: string): { level: number; round: number } | undefined {
  const level = /"level"\s*:\s*(\d{1,15})/.exec(text);
  if (level === null) return undefined;
  const round = /"round"\s*:\s*(\d{1,15})/.exec(text);
  return { level: Number(level[1]), round: round === null ? 0 : Number(round[1]) };
}

/** Where a bad entry goes: beside it, under a dot name that no reader takes for a mark and no prune removes. */
const setAsideName = (path: string) => join(dirname(path), `.${basename(path)}.set-aside.${randomBytes(4).toString('hex')}`);

const ignoreExists = (err: unknown) => {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
};

async function subfolders(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}
