import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  KeyedQueue,
  TezsignerError,
  WATERMARK_KINDS,
  badRequest,
  checkWatermark,
  compareMarks,
  sameMark,
  storeUnavailable,
  watermarkKeyId,
} from '@tezsigner/core';
import type {
  CheckResult,
  StoredWatermark,
  WatermarkEntry,
  WatermarkKey,
  WatermarkMark,
  WatermarkStore,
} from '@tezsigner/core';
import { writeFileAtomic } from './atomic-write.js';
import { withFileLock } from './file-lock.js';
import type { FileLockOptions } from './file-lock.js';
import { describe, ensurePrivateDirectory } from './private-directory.js';
import { readWatermarkFile, serializeWatermark, watermarkProblem } from './watermark-file.js';

export interface FileWatermarkStoreOptions {
  /** the tezsigner home; watermarks live in `<home>/watermarks` */
  readonly home: string;
  readonly lock?: FileLockOptions;
}

/**
 * Durable high watermarks in files, one per (chain, key, kind):
 * `<home>/watermarks/<chainId>/<pkh>/<kind>.json`. Each check-and-advance runs in the
 * process's queue for its key, then under a lock shared with every process using the same
 * home, and returns only after the new mark is fsync'd.
 */
export class FileWatermarkStore implements WatermarkStore {
  readonly name = 'file';
  readonly directory: string;
  /** what opening had to fix (a folder too open restricted to 0700), for people */
  readonly warnings: readonly string[];
  readonly #lock: FileLockOptions;
  /**
   * Same-key calls of this process one at a time, before the file lock. The cross-process
   * lock alone would also serialize them, but by polling: queueing inside the process first
   * keeps same-key requests of one signer cheap and fair.
   */
  readonly #queue = new KeyedQueue();
  readonly #readyFolders = new Set<string>();

  private constructor(directory: string, warnings: readonly string[], lock: FileLockOptions) {
    this.directory = directory;
    this.warnings = warnings;
    this.#lock = lock;
  }

  /** Opens (creating it 0700 if needed) `<home>/watermarks`; CONFIG_INVALID if it is not usable. */
  static async open(options: FileWatermarkStoreOptions): Promise<FileWatermarkStore> {
    const directory = join(options.home, 'watermarks');
    const warnings = await ensurePrivateDirectory(directory);
    return new FileWatermarkStore(directory, warnings, options.lock ?? {});
  }

  async checkAndAdvance(key: WatermarkKey, mark: WatermarkMark): Promise<CheckResult> {
    validateMark(mark);
    return this.#locked(key, async (read, write) => {
      const stored = await read();
      const result = checkWatermark(stored, mark);
      if (result.outcome === 'advanced') await write({ level: mark.level, round: mark.round, hash: mark.hash });
      return result;
    });
  }

  async record(key: WatermarkKey, mark: WatermarkMark, signature: string): Promise<void> {
    validateMark(mark);
    if (signature === '') throw badRequest('cannot record an empty signature');
    await this.#locked(key, async (read, write) => {
      const stored = await read();
      // Another request may have advanced the mark since: its state is the newer truth.
      if (stored === undefined || !sameMark(stored, mark)) return;
      if (stored.signature === signature) return;
      await write({ ...mark, signature });
    });
  }

  async importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    for (const { watermark } of entries) {
      const problem = watermarkProblem(watermark);
      if (problem !== undefined) throw badRequest(`cannot import a watermark: ${problem}`);
    }
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      const done = await this.#locked(key, async (read, write) => {
        const stored = await read();
        if (stored !== undefined && compareMarks(watermark, stored) <= 0) return false;
        await write(watermark);
        return true;
      });
      if (done) raised.push(key);
    }
    return raised;
  }

  async list(): Promise<readonly WatermarkEntry[]> {
    const entries: WatermarkEntry[] = [];
    for (const chainId of await this.#folders(this.directory)) {
      for (const pkh of await this.#folders(join(this.directory, chainId))) {
        const folder = join(this.directory, chainId, pkh);
        const files = new Set(await this.#names(folder));
        for (const kind of WATERMARK_KINDS) {
          if (!files.has(`${kind}.json`)) continue;
          const { watermark } = await readWatermarkFile(join(folder, `${kind}.json`));
          if (watermark !== undefined) entries.push({ key: { chainId, pkh, kind }, watermark });
        }
      }
    }
    return entries;
  }

  /** The file holding `key`'s mark. */
  pathOf(key: WatermarkKey): string {
    validateKey(key);
    return join(this.directory, key.chainId, key.pkh, `${key.kind}.json`);
  }

  /**
   * Runs `task` with exclusive access to `key`'s file. `write` re-reads the file first and
   * refuses to commit if it changed since `read`: with the lock held that cannot happen, so
   * it catches a lock lost to a frozen process or an interrupted stale-lock takeover instead
   * of silently overwriting another process's higher mark.
   */
  #locked<T>(
    key: WatermarkKey,
    task: (read: () => Promise<StoredWatermark | undefined>, write: (next: StoredWatermark) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const path = this.pathOf(key);
    return this.#queue.run(watermarkKeyId(key), async () => {
      await this.#ensureFolder(join(this.directory, key.chainId, key.pkh));
      return withFileLock(
        path,
        async (assertHeld) => {
          let seen: string | undefined;
          const read = async () => {
            const content = await readWatermarkFile(path);
            seen = content.text;
            return content.watermark;
          };
          const write = async (next: StoredWatermark) => {
            assertHeld();
            if ((await readWatermarkFile(path)).text !== seen) {
              throw storeUnavailable(`the watermark file ${path} changed while locked; nothing written, retry`);
            }
            try {
              await writeFileAtomic(path, serializeWatermark(next));
            } catch (err) {
              throw storeUnavailable(`cannot write the watermark file ${path}: ${describe(err)}`, err);
            }
          };
          return task(read, write);
        },
        this.#lock,
      );
    });
  }

  async #ensureFolder(folder: string): Promise<void> {
    if (this.#readyFolders.has(folder)) return;
    await storeFolder(folder);
    this.#readyFolders.add(folder);
  }

  async #folders(path: string): Promise<string[]> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory() && !entry.name.endsWith('.lock')).map((entry) => entry.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeUnavailable(`cannot list the watermark folder ${path}: ${describe(err)}`, err);
    }
  }

  async #names(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (err) {
      throw storeUnavailable(`cannot list the watermark folder ${path}: ${describe(err)}`, err);
    }
  }
}

async function storeFolder(folder: string): Promise<void> {
  try {
    await ensurePrivateDirectory(folder);
  } catch (err) {
    if (err instanceof TezsignerError) throw storeUnavailable(err.message, err);
    throw err;
  }
}

// Chain ids and addresses are base58: anything else could step out of the folder.
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{1,64}$/;

function validateKey(key: WatermarkKey): void {
  if (!BASE58.test(key.chainId)) throw badRequest(`invalid chain id for a watermark: ${JSON.stringify(key.chainId)}`);
  if (!BASE58.test(key.pkh)) throw badRequest(`invalid key hash for a watermark: ${JSON.stringify(key.pkh)}`);
  if (!(WATERMARK_KINDS as readonly string[]).includes(key.kind)) {
    throw badRequest(`invalid watermark kind: ${JSON.stringify(key.kind)}`);
  }
}

function validateMark(mark: WatermarkMark): void {
  const problem = watermarkProblem({ level: mark.level, round: mark.round, hash: mark.hash });
  if (problem !== undefined) throw badRequest(`invalid watermark mark: ${problem}`);
}
