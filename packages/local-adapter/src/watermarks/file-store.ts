import { close, fsync, open } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join, sep } from 'node:path';
import { TezsignerError, WATERMARK_KINDS, badRequest, compareMarks, isAbove, storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { CommitResult, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkMark, WatermarkStore } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { isTempFileName, markFileName, parseMarkFileName } from './mark-file-name.js';
import { describe, ensurePrivateDirectory } from '../files/private-directory.js';
import { readWatermarkFile, serializeWatermark, watermarkProblem } from './file-content.js';

export interface FileWatermarkStoreOptions {
  /** the tezsigner home; watermarks live in `<home>/watermarks` */
  readonly home: string;
}

const openFd = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/** A temp file this old belongs to a process that died mid-write (it only affects clean-up). */
const ABANDONED_TEMP_MS = 10 * 60_000;
/** Reads retried when the highest file is pruned between listing and reading it. */
const READ_ATTEMPTS = 8;
/** Files a mark folder may gather before a commit prunes it (pruning costs a call per file). */
const PRUNE_AT = 8;

/**
 * Durable high watermarks in files, one folder per (chain, key, kind) and one file per mark:
 * `<home>/watermarks/<chainId>/<pkh>/<kind>/<level>-<round>.json`, holding the payload's
 * hash and the signature given for it. A commit creates its mark's file exclusively (written
 * durably to a temp file, then link(2)ed into place, which fails if the name exists), then
 * fsyncs and lists the folder: it has committed only if its file is the highest there.
 * No lock, no clock: a process frozen or killed at any point holds nothing, and when it
 * wakes its link either fails (that position is taken) or lands below a higher mark and
 * counts for nothing. Files below the highest are pruned; the highest is never removed.
 * A commit overtaken while it writes (another process commits a higher mark before this
 * one lists the folder) counts for nothing, and its payload may then go unsigned: liveness
 * yields to the rule that nothing is signed below a mark whose signature may be out.
 * It assumes a local POSIX file system whose link(2) is atomic and whose fsync is honest
 * (ext4, xfs, btrfs, zfs); for several machines use a shared table, not a network mount.
 */
export class FileWatermarkStore implements WatermarkStore {
  readonly name = 'file';
  readonly directory: string;
  /** what opening had to fix (a folder too open restricted to 0700), for people */
  readonly warnings: readonly string[];
  readonly #readyFolders = new Set<string>();
  /**
   * Per mark folder, the highest file known to be on disk, with what it holds: one this
   * process committed, or one it read and flushed. A name is written once and only removed
   * once a higher one exists, so while it is the highest its content cannot have changed.
   * Another process's new file is flushed before it is trusted, so a repeat is never answered
   * from a file a power cut could still take away.
   */
  readonly #known = new Map<string, { name: string; watermark: StoredWatermark }>();
  /** Per mark folder, the file an older tezsigner kept, read once (nothing writes it any more). */
  readonly #legacy = new Map<string, StoredWatermark | undefined>();
  /**
   * An open descriptor per mark folder, to fsync it without opening it for every commit. Plain
   * descriptors, not FileHandles: a store dropped without close() must not warn from the GC.
   */
  readonly #folderFds = new Map<string, Promise<number>>();
  /** Per mark folder, its prune under way (one at a time: close() waits for them). */
  readonly #pruning = new Map<string, Promise<void>>();

  private constructor(directory: string, warnings: readonly string[]) {
    this.directory = directory;
    this.warnings = warnings;
  }

  /** Opens (creating it 0700 if needed) `<home>/watermarks`; CONFIG_INVALID if it is not usable. */
  static async open(options: FileWatermarkStoreOptions): Promise<FileWatermarkStore> {
    const directory = join(options.home, 'watermarks');
    const warnings = await ensurePrivateDirectory(directory);
    return new FileWatermarkStore(directory, warnings);
  }

  /**
   * The highest mark this process knows of (it committed or read it), else the folder's. It
   * may lag behind another process's commit, never ahead of the disk: a commit decides anyway,
   * so a stale answer costs at most one signature that is then dropped.
   */
  async read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    const folder = this.folderOf(key);
    const known = this.#known.get(folder);
    if (known === undefined) return (await this.#highest(key)).watermark;
    const legacy = await this.#legacyMark(folder);
    return legacy !== undefined && compareMarks(legacy, known.watermark) >= 0 ? legacy : known.watermark;
  }

  async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    validateMark(signed);
    if (typeof signed.signature !== 'string' || signed.signature === '') throw badRequest('cannot commit a mark without its signature');
    const { level, round, hash, signature } = signed;
    return this.#place(key, { level, round, hash, signature });
  }

  async importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    for (const { key, watermark } of entries) {
      validateKey(key);
      const problem = watermarkProblem(watermark);
      if (problem !== undefined) throw badRequest(`cannot import a watermark: ${problem}`);
    }
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      if ((await this.#place(key, watermark)).committed) raised.push(key);
    }
    return raised;
  }

  async list(): Promise<readonly WatermarkEntry[]> {
    const entries: WatermarkEntry[] = [];
    for (const chainId of await this.#folders(this.directory)) {
      for (const pkh of await this.#folders(join(this.directory, chainId))) {
        for (const kind of WATERMARK_KINDS) {
          const key = { chainId, pkh, kind };
          const { watermark } = await this.#highest(key);
          if (watermark !== undefined) entries.push({ key, watermark });
        }
      }
    }
    return entries;
  }

  async close(): Promise<void> {
    await Promise.all(this.#pruning.values());
    const fds = [...this.#folderFds.values()];
    this.#folderFds.clear();
    await Promise.all(fds.map((fd) => fd.then(closeFd).catch(() => undefined)));
  }

  /** The folder holding `key`'s marks. */
  folderOf(key: WatermarkKey): string {
    validateKey(key);
    return inFolder(inFolder(inFolder(this.directory, key.chainId), key.pkh), key.kind);
  }

  /**
   * Creates `watermark`'s file unless its position is taken, then decides on what the folder
   * holds: committed only if that file is ours and the highest. Nothing is ever overwritten.
   */
  async #place(key: WatermarkKey, watermark: StoredWatermark): Promise<CommitResult> {
    const folder = this.folderOf(key);
    if (!this.#known.has(folder)) {
      // Not read before (a signer always reads first): check now, so that a mark at or below
      // the highest writes nothing and an unreadable highest file stops the commit.
      const before = await this.#highest(key);
      if (before.watermark !== undefined && !isAbove(watermark, before.watermark)) return { committed: false, stored: before.watermark };
    }
    await this.#ensureFolder(folder);
    const name = markFileName(watermark);
    // The folder is listed while it is flushed: the listing need only come after the link
    // (it decides on what was linked before it), and the answer waits for both anyway.
    let names: string[] | undefined;
    const flushAndList = async (dir: string) => {
      [, names] = await Promise.all([this.#flush(dir), this.#names(folder)]);
    };
    try {
      await createFileAtomic(inFolder(folder, name), serializeWatermark(watermark), 0o600, flushAndList);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw storeUnavailable(`cannot write the watermark file ${inFolder(folder, name)}: ${describe(err)}`, err);
      }
    }
    if (names !== undefined) {
      const legacy = await this.#legacyMark(folder);
      if (highestName(names)?.name === name && isAbove(watermark, legacy)) {
        this.#known.set(folder, { name, watermark });
        if (names.length > PRUNE_AT) this.#pruneLater(folder, names, watermark);
        return { committed: true };
      }
    }
    const { watermark: stored } = await this.#highest(key);
    if (stored === undefined) throw storeUnavailable(`the watermark file ${inFolder(folder, name)} vanished`);
    return { committed: false, stored };
  }

  /** The highest mark of `key`: the highest file of its folder, or an older tezsigner's file if higher. */
  async #highest(key: WatermarkKey): Promise<{ watermark?: StoredWatermark }> {
    const folder = this.folderOf(key);
    const legacy = await this.#legacyMark(folder);
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const top = highestName(await this.#names(folder));
      if (top === undefined) return { watermark: legacy };
      let watermark = this.#known.get(folder)?.name === top.name ? this.#known.get(folder)?.watermark : undefined;
      if (watermark === undefined) {
        const path = inFolder(folder, top.name);
        watermark = (await readWatermarkFile(path)).watermark;
        // pruned by another process after a higher mark landed: list again
        if (watermark === undefined) continue;
        if (watermark.level !== top.level || watermark.round !== top.round) {
          throw storeCorrupt(`the watermark file ${path} holds level ${watermark.level} round ${watermark.round}, not what its name says; fix or restore it by hand (it is never reset)`);
        }
        await this.#flush(folder);
        this.#known.set(folder, { name: top.name, watermark });
      }
      // at the older file's own position too: it was there first
      if (legacy !== undefined && compareMarks(legacy, watermark) >= 0) return { watermark: legacy };
      return { watermark };
    }
    throw storeUnavailable(`the watermark folder ${folder} kept changing while it was read`);
  }

  /**
   * Prunes after the commit has answered: clutter need not hold up a signature, and nothing
   * depends on it being gone (the highest file decides, and it is never pruned). A folder
   * whose prune is still under way is left to a later commit: the next ones would otherwise
   * list the same old files and remove them again.
   */
  #pruneLater(folder: string, names: readonly string[], kept: WatermarkMark): void {
    if (this.#pruning.has(folder)) return;
    this.#pruning.set(folder, prune(folder, names, kept).finally(() => this.#pruning.delete(folder)));
  }

  async #legacyMark(folder: string): Promise<StoredWatermark | undefined> {
    if (this.#legacy.has(folder)) return this.#legacy.get(folder);
    const { watermark } = await readWatermarkFile(`${folder}.json`);
    this.#legacy.set(folder, watermark);
    return watermark;
  }

  async #flush(folder: string): Promise<void> {
    let fd = this.#folderFds.get(folder);
    if (fd === undefined) {
      fd = openFd(folder, 'r');
      this.#folderFds.set(folder, fd);
    }
    try {
      await fsyncFd(await fd);
    } catch (err) {
      this.#folderFds.delete(folder);
      await fd.then(closeFd).catch(() => undefined);
      throw storeUnavailable(`cannot flush the watermark folder ${folder}: ${describe(err)}`, err);
    }
  }

  async #ensureFolder(folder: string): Promise<void> {
    if (this.#readyFolders.has(folder)) return;
    try {
      await ensurePrivateDirectory(folder);
    } catch (err) {
      if (err instanceof TezsignerError) throw storeUnavailable(err.message, err);
      throw err;
    }
    this.#readyFolders.add(folder);
  }

  async #folders(path: string): Promise<string[]> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeUnavailable(`cannot list the watermark folder ${path}: ${describe(err)}`, err);
    }
  }

  async #names(folder: string): Promise<string[]> {
    try {
      return await readdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw storeCorrupt(`${folder} should be a folder of watermark files`, err);
      throw storeUnavailable(`cannot list the watermark folder ${folder}: ${describe(err)}`, err);
    }
  }
}

/**
 * `name` inside `folder`, joined without path.join's normalization (garbage on every commit):
 * the folder is normalized once, and every name is one entry (a validated key part, a mark
 * file's name, or a name the folder listed).
 */
const inFolder = (folder: string, name: string): string => `${folder}${sep}${name}`;

/** The highest mark file among `names`, by the position its name stands for. */
function highestName(names: readonly string[]): { name: string; level: number; round: number } | undefined {
  let top: { name: string; level: number; round: number } | undefined;
  for (const name of names) {
    const position = parseMarkFileName(name);
    if (position !== undefined && (top === undefined || compareMarks(position, top) > 0)) top = { name, ...position };
  }
  return top;
}

/**
 * Removes marks below `kept` and temp files left by dead writers. Best effort: a file left
 * behind is only clutter, since the highest file alone decides.
 */
async function prune(folder: string, names: readonly string[], kept: WatermarkMark): Promise<void> {
  // all at once: a prune is short, and the folder's next commits skip pruning until it is done
  await Promise.all(
    names.map((name) => {
      const position = parseMarkFileName(name);
      const path = inFolder(folder, name);
      if (position !== undefined && compareMarks(position, kept) < 0) return unlink(path).catch(() => undefined);
      return isTempFileName(name) ? removeIfAbandoned(path) : undefined;
    }),
  );
}

async function removeIfAbandoned(path: string): Promise<void> {
  try {
    // The clock only decides when clutter goes: removing a live temp file makes that one
    // write fail closed, never commit twice.
    if (Date.now() - (await stat(path)).mtimeMs > ABANDONED_TEMP_MS) await unlink(path);
  } catch {
    // gone already, or not ours to remove: clutter either way
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
