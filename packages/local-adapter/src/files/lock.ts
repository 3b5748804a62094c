import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { lock } from 'proper-lockfile';
import { storeUnavailable } from '@tezsigner/core';
import { describe } from './private-directory.js';

export interface FileLockOptions {
  /**
   * A lock not refreshed for this long is taken to belong to a crashed process and is
   * reclaimed. The holder refreshes it every half of this while it lives, so only a process
   * frozen for longer than this can lose a lock it still uses.
   */
  readonly staleMs?: number;
  /** how long to wait for a busy lock before failing with STORE_UNAVAILABLE */
  readonly waitMs?: number;
}

export const DEFAULT_LOCK_STALE_MS = 10_000;
export const DEFAULT_LOCK_WAIT_MS = 15_000;

/**
 * An exclusive lock on `path` shared by every process using the same folder, held while `task`
 * runs. It is proper-lockfile's: an atomic mkdir of `<path>.lock` (atomic on local file
 * systems and NFS alike), kept fresh by its holder, reclaimed once stale. That is what makes a
 * crashed holder harmless: a plain O_EXCL lock file would stay forever after a SIGKILL or a
 * power cut, or need a pid liveness check that breaks on pid reuse and across hosts.
 * `task` receives `assertHeld`, to call right before it commits a write, so a lock lost
 * through a freeze (see staleMs) fails the write instead of racing another process.
 */
export async function withFileLock<T>(
  path: string,
  task: (assertHeld: () => void) => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  let compromised: Error | undefined;
  const onCompromised = (err: Error) => {
    compromised = err;
  };
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lock(path, { realpath: false, stale: staleMs, retries: 0, onCompromised });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' && !(await lostToAnother(path, err))) {
        throw storeUnavailable(`cannot lock ${path}: ${describe(err)}`, err);
      }
      if (Date.now() >= deadline) {
        throw storeUnavailable(
          `the lock ${path}.lock is held by another process (a crashed holder's lock is reclaimed after ${staleMs} ms)`,
          err,
        );
      }
      // Holders keep it for a few ms (one fsync'd write); poll fast first, then back off.
      await sleep(Math.min(1 + attempt, 25) * (0.5 + Math.random()));
    }
  }
  const assertHeld = () => {
    if (compromised !== undefined) {
      throw storeUnavailable(`lost the lock ${path}.lock while holding it: ${compromised.message}`, compromised);
    }
  };
  try {
    return await task(assertHeld);
  } finally {
    // A compromised lock is no longer ours to remove.
    if (compromised === undefined) await release().catch(() => undefined);
  }
}

/**
 * A lock made and then gone before it was ours: another process whose clock runs ahead took it
 * for stale and removed it (proper-lockfile compares the lock's time with its own clock), so it
 * is contention, to be waited out like a held lock. ENOENT with the folder itself missing is not.
 */
async function lostToAnother(path: string, err: unknown): Promise<boolean> {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  return stat(dirname(path)).then(
    (folder) => folder.isDirectory(),
    () => false,
  );
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
