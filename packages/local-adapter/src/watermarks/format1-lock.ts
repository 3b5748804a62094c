import { lstat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { storeCorrupt, storeUnavailable } from '@tezsigner/core';
import { fsyncDirectory } from '../files/atomic-write.js';
import { diskFullMessage, isDiskFull } from '../files/disk-full.js';
import { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_WAIT_MS } from '../files/lock.js';
import { describe } from '../files/private-directory.js';
import { kindOf } from '../files/regular-file.js';
import { STORE_FORMAT } from './store-format.js';

export interface LockOutOptions {
  /** how old a format-1 lock must be to count as abandoned (format 1 took such locks over) */
  readonly staleMs?: number;
  /** how long to wait for a format-1 process to finish the write it holds the lock for */
  readonly waitMs?: number;
}

const LOCKED_OUT = `${JSON.stringify({
  format: STORE_FORMAT,
  note: 'this file stops tezsigner releases of watermark format 1 from ever taking this lock again; never remove it',
})}\n`;

/**
 * Makes `<kind>.json.lock` a regular file, for good, so that no format-1 process can take it
 * again. Format 1 (proper-lockfile) locks with mkdir(2) (EEXIST on a file: held), and takes a
 * lock it finds stale over with rmdir(2), which fails on a file (ENOTDIR): from then on every
 * format-1 operation on this watermark fails before it reads `<kind>.json`, let alone writes it.
 *
 * The file is created (O_EXCL) only where nothing is: a lock folder that is there belongs
 * to a format-1 process (or to format 2's one-time move), which may be between its read of
 * `<kind>.json` and its write; it is waited for while it is kept fresh, and never taken over,
 * even once stale: a holder frozen past the stale time (SIGSTOP, a paused VM) is
 * indistinguishable from a dead one, and one that wakes after `<kind>.json` was moved aside
 * would find no mark and start from nothing. So a stale lock is left to the operator
 * (STORE_UNAVAILABLE naming it: it clears by itself if its holder wakes and finishes). Nothing
 * here depends on a clock: the age only chooses between waiting and saying so.
 *
 * Hence, when this returns, no format-1 operation holds the lock: the file took the name at an
 * instant nothing was there, and a format-1 lock only goes when its own holder removes it (a
 * format-1 process does one operation per watermark at a time) or when another process takes
 * it over as stale, which this code never does.
 */
export async function lockOutFormat1(legacyPath: string, options: LockOutOptions = {}): Promise<void> {
  const path = `${legacyPath}.lock`;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  for (let attempt = 0; ; attempt++) {
    const info = await lstat(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeUnavailable(`cannot read the lock ${path}: ${describe(err)}`, err);
    });
    if (info === undefined) {
      // O_EXCL: created only where nothing is, at one instant; what it holds is for people (an
      // empty one, left by a crash, locks format 1 out as well)
      const created = await writeFile(path, LOCKED_OUT, { flag: 'wx', mode: 0o600 }).then(
        () => true,
        (err: unknown) => {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw cannotWrite(path, err);
        },
      );
      if (!created) continue;
      // on disk before anything of <kind>.json is moved: after a power cut, a folder without
      // <kind>.json must not be one without this file either
      await fsyncDirectory(dirname(path)).catch((err: unknown) => Promise.reject(cannotWrite(path, err)));
      return;
    }
    // a file there is this one (or another process of this format) locking format 1 out already
    if (info.isFile()) return;
    if (!info.isDirectory()) {
      throw storeCorrupt(`the lock ${path} is ${kindOf(info)}, where only a lock folder of an older tezsigner or this one's lock-out file belongs: remove it (rm ${path}), then sign again`);
    }
    const idleMs = Date.now() - info.mtimeMs;
    if (idleMs > staleMs) {
      throw storeUnavailable(
        `the lock ${path} of an older tezsigner has not been refreshed for ${Math.round(idleMs / 1000)} s: the process that took it is stopped, frozen or gone, ` +
          'and one that wakes may still write the mark it holds it for, so this tezsigner never takes it over; nothing is signed with this key until it is released. ' +
          `If no older tezsigner runs on this home any more (stopped for good, not frozen), remove it: rmdir ${path}`,
      );
    }
    if (Date.now() >= deadline) throw storeUnavailable(`the lock ${path} is held by an older tezsigner that is signing with this key; try again`);
    // a format-1 holder keeps it for one fsync'd write: poll fast first, then back off
    await new Promise((done) => setTimeout(done, Math.min(1 + attempt, 25) * (0.5 + Math.random())));
  }
}

const cannotWrite = (path: string, err: unknown) =>
  storeUnavailable(isDiskFull(err) ? diskFullMessage(dirname(path), err) : `cannot write the lock ${path}: ${describe(err)}`, err);
