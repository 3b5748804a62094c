import { randomBytes } from 'node:crypto';
import { link, lstat, readdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WATERMARK_KINDS, compareMarks } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { createFileAtomic, writeFileAtomic } from '../files/atomic-write.js';
import { ensurePrivateDirectory } from '../files/private-directory.js';
import { kindOf } from '../files/regular-file.js';
import { lockOutFormat1 } from './format1-lock.js';
import { readLegacyEntry } from './legacy-entry.js';
import { retireLegacyFile } from './legacy-migration.js';
import { highestName, markFileName } from './mark-file-name.js';
import { STORE_FORMAT, claimedFormat } from './store-format.js';
import { readWatermarkFile, serializeWatermark } from './file-content.js';

export interface RepairOptions {
  /**
   * The level to give a format-1 file that cannot be read (the highest level the key may have
   * signed, or the chain head): the mark put in its place covers that whole level.
   */
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
/** The highest round a block or (pre)attestation can carry (int32): a mark there covers its whole level. */
const LAST_ROUND = 0x7fffffff;

/**
 * Makes every watermark of `<home>/watermarks` readable again without lowering any, safe while
 * signers of this format and older ones run. Where repair gets a level: a mark file's name (the
 * name is the position a commit took), a mark that parses whole, or `legacyLevel`, stated by the
 * operator; never digits read out of what is left of a damaged file, which may be any prefix of
 * the mark it was. What it writes matches no payload, so nothing is signed at or below it again.
 *
 * - The highest entry of a mark folder that is not a readable mark of its position (empty,
 *   truncated, garbage, a folder, a symbolic link, a FIFO, a socket, a device) is kept under a
 *   dot name beside it and replaced by a mark at its position (higher if it held a whole mark
 *   naming a higher one), by one rename(2) over it, so a signer meanwhile sees the old entry or
 *   the new mark, never a free position. A folder cannot be renamed over: a mark one round above
 *   it is made first, so its position is below the highest before it is moved away.
 * - A format-1 `<kind>.json` that is not a mark is replaced by a mark covering `legacyLevel` in
 *   the folder (unresolved without it), and by tezsigner's marker, never by a format-1 mark a
 *   format-1 process could sign from. In a folder this format already took over it is a damaged
 *   marker, and only the marker is put back (the marks are in the folder); a whole mark found
 *   there is moved into the folder first.
 * - A lock `<kind>.json.lock` that is neither a lock folder nor the lock-out file is set aside,
 *   and format 1 locked out again where the marker stands.
 */
export async function repairWatermarks(directory: string, options: RepairOptions = {}): Promise<RepairReport> {
  const repaired: string[] = [];
  const unresolved: string[] = [];
  for (const chainId of await subfolders(directory)) {
    for (const pkh of await subfolders(join(directory, chainId))) {
      for (const kind of WATERMARK_KINDS) {
        const folder = join(directory, chainId, pkh, kind);
        const info = await lstat(folder).catch(() => undefined);
        if (info !== undefined && !info.isDirectory()) {
          unresolved.push(`cannot repair ${folder}: it is ${kindOf(info)}; replace it with the folder it stands for (mv)`);
          continue;
        }
        if (info !== undefined) repaired.push(...(await repairFolder(folder)));
        const legacy = await repairLegacy(folder, kind, options).catch((err: unknown) => ({ unresolved: `cannot repair ${folder}.json: ${(err as Error).message}` }));
        if ('unresolved' in legacy) unresolved.push(legacy.unresolved);
        else repaired.push(...legacy.repaired);
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
    const info = await lstat(path).catch(() => undefined);
    // pruned meanwhile, behind a higher mark: look again
    if (info === undefined) continue;
    let found: StoredWatermark | Error | undefined;
    if (info.isFile()) {
      found = await readWatermarkFile(path).then(
        (read) => read.watermark,
        (err: unknown) => err as Error,
      );
      if (found === undefined) continue;
      if (!(found instanceof Error) && compareMarks(found, top) === 0) return done;
    }
    const why = found instanceof Error ? found.message.replace(/^the watermark file \S+ is /, '').replace(/;.*$/, '') : found !== undefined ? `holding level ${found.level} round ${found.round}` : kindOf(info);
    const aside = setAsideName(path);
    let position: { level: number; round: number } = top;
    if (info.isDirectory()) {
      // one rename cannot replace a folder: the position just above is taken first, so the
      // folder's own is below the highest when it goes and no commit can count there
      position = top.round < LAST_ROUND ? { level: top.level, round: top.round + 1 } : { level: top.level + 1, round: 0 };
      const made = await createFileAtomic(join(folder, markFileName(position)), serializeWatermark({ ...position, hash: NO_PAYLOAD })).then(
        () => true,
        (err: unknown) => (isExisting(err) ? false : Promise.reject(err)),
      );
      // a commit took that position meanwhile: the folder is below the highest now, look again
      if (!made) continue;
      await rename(path, aside);
    } else {
      // kept under a second name (the same inode): nothing of it is read, a FIFO included
      await link(path, aside);
      if (found !== undefined && !(found instanceof Error) && compareMarks(found, top) > 0) {
        // a whole mark naming a higher position than its file name: the higher stands
        position = found;
        await createFileAtomic(join(folder, markFileName(found)), serializeWatermark({ level: found.level, round: found.round, hash: NO_PAYLOAD })).catch(ignoreExisting);
      }
      await writeFileAtomic(path, serializeWatermark({ level: top.level, round: top.round, hash: NO_PAYLOAD }));
    }
    done.push(`${path}: ${why}; replaced by a mark at level ${position.level} round ${position.round} that matches no payload (the old entry is ${aside})`);
  }
}

type LegacyRepair = { readonly repaired: readonly string[] } | { readonly unresolved: string };

async function repairLegacy(folder: string, kind: string, options: RepairOptions): Promise<LegacyRepair> {
  const path = `${folder}.json`;
  const lines: string[] = [];
  const lock = await repairLock(`${path}.lock`);
  if (lock !== undefined) lines.push(lock);
  const entry = await readLegacyEntry(path);
  const migrated = (claimedFormat(await readdir(folder).catch(() => [])) ?? 0) >= STORE_FORMAT;
  const asides: string[] = [];
  const setAside = async (damaged: string) => {
    const aside = setAsideName(damaged);
    await rename(damaged, aside);
    asides.push(aside);
  };
  const retire = async (extra: { onDamaged?: (path: string) => Promise<void>; acceptMarkAfterMove?: boolean } = {}) => {
    await ensurePrivateDirectory(folder);
    await retireLegacyFile({ folder, kind, place: (watermark) => place(folder, watermark), ...extra });
  };
  const oldEntries = () => (asides.length === 0 ? '' : ` (the old entry is ${asides.join(', ')})`);

  if (entry.state === 'damaged' && !migrated) {
    if (options.legacyLevel === undefined) {
      return {
        unresolved: `cannot repair ${path}: it is ${entry.why}, and a damaged file's level is never guessed from what is left of it; run again with --legacy-level <level> (the highest level this key may have signed, or the chain head)`,
      };
    }
    await ensurePrivateDirectory(folder);
    await place(folder, { level: options.legacyLevel, round: LAST_ROUND, hash: NO_PAYLOAD });
    await retire({ onDamaged: setAside });
    lines.push(`${path}: ${entry.why}; replaced by a mark covering level ${options.legacyLevel} in ${folder} that matches no payload, and by tezsigner's marker${oldEntries()}`);
  } else if (entry.state === 'damaged') {
    // this format took the folder over: its marks are all in it, and only the marker is damaged
    await retire({ onDamaged: setAside });
    lines.push(`${path}: ${entry.why}; tezsigner's marker put back${oldEntries()}`);
  } else if (entry.state === 'mark' && migrated) {
    await retire({ acceptMarkAfterMove: true });
    lines.push(`${path}: a mark at level ${entry.watermark.level} round ${entry.watermark.round} where tezsigner's marker belongs; moved into ${folder} (the higher mark stands) and the marker put back`);
  } else if (entry.state === 'none' && migrated) {
    await retire();
    lines.push(`${path}: missing where tezsigner's marker belongs; marker put back`);
  } else if (lock !== undefined && entry.state === 'moved' && entry.folder) {
    await lockOutFormat1(path);
  }
  return { repaired: lines };
}

/** Sets aside a lock that is neither format 1's lock folder nor the lock-out file; a line saying so, or undefined. */
async function repairLock(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined || info.isFile() || info.isDirectory()) return undefined;
  const aside = setAsideName(path);
  await rename(path, aside);
  return `${path}: ${kindOf(info)}, not a lock; set aside as ${aside}`;
}

/** Writes `watermark` into `folder` unless its position is taken (the file there stands). */
const place = (folder: string, watermark: StoredWatermark) => createFileAtomic(join(folder, markFileName(watermark)), serializeWatermark(watermark)).catch(ignoreExisting);

/** Where a bad entry goes: beside it, under a dot name that no reader takes for a mark and no prune removes. */
const setAsideName = (path: string) => join(dirname(path), `.${basename(path)}.set-aside.${randomBytes(4).toString('hex')}`);

const isExisting = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
const ignoreExisting = (err: unknown) => {
  if (!isExisting(err)) throw err;
};

async function subfolders(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}
