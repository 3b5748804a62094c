import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { StoredWatermark } from '@tezsigner/core';
import { createFileAtomic, fsyncDirectory } from '../files/atomic-write.js';
import { diskFullMessage, isDiskFull } from '../files/disk-full.js';
import { describe } from '../files/private-directory.js';
import { lockOutFormat1 } from './format1-lock.js';
import type { LockOutOptions } from './format1-lock.js';
import { MARKER_FILE, legacyDamaged, markerContent, readLegacyEntry } from './legacy-entry.js';
import { FORMAT_CLAIM, STORE_FORMAT, claimedFormat, newerFormat } from './store-format.js';

export interface RetireOptions {
  /** the mark folder, `…/<chainId>/<pkh>/<kind>`, beside which format 1 kept `<kind>.json` */
  readonly folder: string;
  readonly kind: string;
  /** writes a mark moved out of `<kind>.json` into the folder, durably; a position already taken keeps its file */
  readonly place: (watermark: StoredWatermark) => Promise<void>;
  /**
   * Repair only: takes an entry that is neither a mark nor a marker away from `path` (sets it
   * aside, having put whatever mark it stood for in the folder), instead of failing closed.
   * Called once format 1 is locked out, so nothing writes `<kind>.json` meanwhile.
   */
  readonly onDamaged?: (path: string, why: string) => Promise<void>;
  /** Repair only: moves a mark found where the marker should be (see below), instead of failing closed. */
  readonly acceptMarkAfterMove?: boolean;
  readonly lock?: LockOutOptions;
}

/** Bounds the loop below: each turn sees another process's step, and there are a handful. */
const ATTEMPTS = 50;

/**
 * Retires the format-1 file of one watermark, `<kind>.json` beside its mark folder: its mark
 * goes into the folder, and a marker folder takes its place. Run by each process before its
 * first commit in the folder (and by `watermarks repair`); idempotent, safe beside other
 * processes of this format, and resumable after a crash at any step.
 *
 * Why at most one payload and one signature leave per position, whatever a format-1 process
 * does, frozen anywhere for any time (format 1: lock `<kind>.json.lock`, read `<kind>.json`,
 * re-read it, write a temp file, rename it over `<kind>.json`, release, then sign):
 *
 * 1. Format 1 is locked out first (lockOutFormat1): the lock becomes a file at an instant when
 *    no format-1 operation holds it, and no format-1 process can ever take it again. So from
 *    then on no format-1 process reads or writes `<kind>.json`: every format-1 signature that
 *    can ever leave is of a mark it renamed into `<kind>.json` before that instant, and (one
 *    operation at a time, each above what it read) the last such mark is the highest.
 * 2. That file is then what every process of this format finds there: it is moved into the
 *    folder (`place`, durable) before it is moved aside, and the file moved aside is moved into
 *    the folder again before it is removed, so a crash anywhere leaves it either in place, or
 *    aside under a name the next run finds, and in the folder before it is gone.
 * 3. A process of this format commits in the folder only after this returned, and a commit
 *    counts only above the folder's highest file (file-store.ts): above every format-1 mark.
 * 4. The marker is a folder: rename(2) of a file over a folder fails (EISDIR), and reading it
 *    fails (EISDIR), so even a format-1 write that got past the lock some other way (its lock
 *    taken over as stale by a second older process; a lock removed by hand) cannot land once
 *    the marker is there. Between the move aside and the marker the name is free; a format-1
 *    write that lands then is a mark like any other: the marker's rename fails (ENOTDIR), and
 *    the next turn moves that mark into the folder too.
 * 5. This process frozen anywhere, for any time: before the lock-out it has changed nothing;
 *    from the lock-out on, no format-1 process can act. No step depends on a clock or on a
 *    lock's freshness (a stale format-1 lock is waited on or reported, never taken over).
 *
 * What this cannot see: a format-1 process frozen after it took the lock and before it read
 * `<kind>.json`, whose lock a second older process (format 1, or format 2's one-time move)
 * then took over as stale and released, waking in the instant between the move aside and the
 * marker (only if this process is frozen exactly there) would read no mark. Two format-1
 * processes on one key already sign twice that way without this release; one format-1
 * process with any number of processes of this format is covered above.
 *
 * Format 2 (the previous release) commits in the folder by the same rule as this format, its
 * one-time move takes the same lock (so a lock-out stops it too), and it stops committing in a
 * folder claimed by a later format. The folder's `format-<n>` file is written last: a later run that finds it and a format-1
 * mark where the marker should be fails closed (STORE_CORRUPT naming it) rather than move it
 * silently: the marker was replaced by hand or by an older tool, and an older release may have
 * signed from it. Releases of format 2 stop committing in a folder that has it (store-format.ts).
 */
export async function retireLegacyFile(options: RetireOptions): Promise<void> {
  const path = `${options.folder}.json`;
  const first = await readLegacyEntry(path);
  if (first.state === 'moved') refuseNewer(path, first.format);
  // the usual case, every start after the first: nothing to lock or move
  if (first.state !== 'moved' || !first.folder) {
    await lockOutFormat1(path, options.lock);
    await replaceWithMarker(path, options);
  }
  await settleMovedAside(path, options);
  await claimFolder(options.folder);
}

async function replaceWithMarker(path: string, options: RetireOptions): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const entry = await readLegacyEntry(path);
    switch (entry.state) {
      case 'moved':
        refuseNewer(path, entry.format);
        if (entry.folder) return;
        // format 2's marker file: its mark is in the folder already
        await moveAside(path);
        break;
      case 'none':
        if (await placeMarker(path, options.kind)) return;
        break;
      case 'damaged':
        if (options.onDamaged === undefined) throw legacyDamaged(path, entry.why);
        await options.onDamaged(path, entry.why);
        break;
      case 'mark':
        if (options.acceptMarkAfterMove !== true && (await claimed(options.folder))) throw markWhereMarkerBelongs(path);
        await options.place(entry.watermark);
        await moveAside(path);
        break;
    }
  }
  throw storeUnavailable(`${path} kept changing while it was replaced by its marker; try again`);
}

/**
 * Files moved aside from `<kind>.json` (by this process, another, or one that crashed) go into
 * the folder, then away; and marker folders that were never placed go. Both only once the
 * marker stands: nothing moves a file aside or places a marker any more.
 */
async function settleMovedAside(path: string, options: RetireOptions): Promise<void> {
  const keyFolder = dirname(path);
  const names = await readdir(keyFolder).catch((err: unknown) => {
    throw storeUnavailable(`cannot list the watermark folder ${keyFolder}: ${describe(err)}`, err);
  });
  for (const name of names) {
    const aside = `${keyFolder}${sep}${name}`;
    if (aside.startsWith(preparedPrefix(path))) {
      await rm(aside, { recursive: true, force: true }).catch(() => undefined);
      continue;
    }
    if (!aside.startsWith(asidePrefix(path))) continue;
    const entry = await readLegacyEntry(aside);
    if (entry.state === 'mark') await options.place(entry.watermark);
    else if (entry.state === 'damaged') {
      if (options.onDamaged === undefined) throw legacyDamaged(aside, entry.why);
      await options.onDamaged(aside, entry.why);
      continue;
    }
    // a marker folder too: a process that read a file there moves aside whatever is there when
    // it renames, and another process may have placed the marker in between (it is placed again)
    const gone = entry.state === 'moved' && entry.folder ? rm(aside, { recursive: true, force: true }) : unlink(aside);
    await gone.catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storeUnavailable(`cannot remove ${aside}: ${describe(err)}`, err);
    });
  }
}

/**
 * Puts a marker folder (holding MARKER_FILE) where nothing is: prepared whole beside it, then
 * renamed into place, which creates the name atomically. False when something took the name
 * first (a format-1 write, another process's marker): the caller looks again.
 */
async function placeMarker(path: string, kind: string): Promise<boolean> {
  const prepared = `${preparedPrefix(path)}${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(prepared, { mode: 0o700 });
    await createFileAtomic(`${prepared}${sep}${MARKER_FILE}`, markerContent(kind));
    await rename(prepared, path);
  } catch (err) {
    await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
    // ENOENT: another process cleared the prepared folder away, having placed its own marker
    if (['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'ENOENT'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw cannotWrite(path, err);
  }
  await fsyncDirectory(dirname(path)).catch((err: unknown) => Promise.reject(cannotWrite(path, err)));
  return true;
}

/** Moves `<kind>.json` aside under a name settleMovedAside finds; gone already is fine. */
async function moveAside(path: string): Promise<void> {
  await rename(path, `${asidePrefix(path)}${randomBytes(6).toString('hex')}`).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotWrite(path, err);
  });
}

/**
 * Claims the mark folder for this format (a `format-<n>` file), once the marker stands. Not
 * flushed here: nothing depends on it for safety (it makes a later mark where the marker
 * belongs an error, and older format-2 processes stop), and the folder's next commit flushes it.
 */
async function claimFolder(folder: string): Promise<void> {
  await writeFile(`${folder}${sep}${FORMAT_CLAIM}`, '', { flag: 'wx', mode: 0o600 }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(folder, err);
  });
}

async function claimed(folder: string): Promise<boolean> {
  const names = await readdir(folder).catch(() => []);
  return (claimedFormat(names) ?? 0) >= STORE_FORMAT;
}

function refuseNewer(path: string, format: number): void {
  if (format > STORE_FORMAT) throw newerFormat(path, format);
}

const markWhereMarkerBelongs = (path: string) =>
  storeCorrupt(
    `the watermark file ${path} holds a mark where tezsigner left its marker folder: a backup restored or an older tool wrote it, and an older tezsigner may have signed from it; ` +
      'stop every older tezsigner on this home, then run `tezsigner watermarks repair`, which keeps the higher of that mark and the folder\'s and puts the marker back',
  );

const cannotWrite = (path: string, err: unknown) =>
  storeUnavailable(isDiskFull(err) ? diskFullMessage(dirname(path), err) : `cannot replace ${path} with its marker folder: ${describe(err)}`, err);

/** `.<kind>.json.retired.<random>`: a format-1 file moved aside, until its mark is in the folder. */
const asidePrefix = (path: string) => `${dirname(path)}${sep}.${basename(path)}.retired.`;
/** `.<kind>.json.marker.<random>`: a marker folder being prepared. */
const preparedPrefix = (path: string) => `${dirname(path)}${sep}.${basename(path)}.marker.`;
