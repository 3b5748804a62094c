import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { TezsignerError, WATERMARK_KINDS, badRequest, compareMarks, isAbove, storeCorrupt, storeUnavailable } from '@tezsigner/core';
import type { CommitResult, PreparedCommit, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkMark, WatermarkStore } from '@tezsigner/core';
import { createFileAtomic, stageFile } from '../files/atomic-write.js';
import { closeFd, fsyncFd, listFolder, openFd, unlinkPath } from '../files/fd-calls.js';
import { checkFileSystem, tryCommit } from './file-system-check.js';
import { highestName, markFileName, parseMarkFileName, tempFileTarget } from './mark-file-name.js';
import { describe, ensurePrivateDirectory, inspectPrivateDirectory } from '../files/private-directory.js';
import { kindOf } from '../files/regular-file.js';
import { checkHomeFormat } from './home-format.js';
import { STORE_FORMAT, claimedFormat, newerFormat } from './store-format.js';
import { legacyDamaged, readLegacyEntry } from './legacy-entry.js';
import { retireLegacyFile } from './legacy-migration.js';
import type { LockOutOptions } from './format1-lock.js';
import { REPAIR_HINT, readWatermarkFile, serializeWatermark, watermarkProblem } from './file-content.js';

export interface FileWatermarkStoreOptions {
  /** the tezsigner home; watermarks live in `<home>/watermarks` */
  readonly home: string;
  /**
   * Checks the file system and the home's format at opening (default true); a command that
   * only reads the marks writes nothing, so it skips them.
   */
  readonly check?: boolean | undefined;
  /** how this waits for, and when it gives up on, the lock of a format-1 tezsigner (format1-lock.ts) */
  readonly legacyLock?: LockOutOptions | undefined;
  /** opened to read only (a dry run): a folder too open is said in `warnings`, not restricted, and a missing one not made */
  readonly changeNothing?: boolean | undefined;
}

/** Reads retried when the highest file is pruned between listing and reading it. */
const READ_ATTEMPTS = 8;
/** The fewest files a mark folder gathers before a commit prunes it (a call per file); pruneThreshold spreads it by folder. */
const PRUNE_AT = 8;
/** Mark folders read at once by list(): enough to keep libuv's pool busy, few enough to leave it room for requests. */
const LIST_AT_ONCE = 16;

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
  /**
   * Per mark folder, the mark a format-1 tezsigner kept in `<kind>.json`, read once until this
   * process has moved it into the folder (then undefined: the marker left there holds none).
   */
  readonly #legacy = new Map<string, StoredWatermark | undefined>();
  /** Mark folders whose format-1 file this process has retired (or found retired): see #migrate. */
  readonly #migrated = new Set<string>();
  /** Folders whose path this process has seen to be real folders all the way down (no links). */
  readonly #realFolders = new Set<string>();
  /** Per mark folder, why its last commit failed (cleared by a commit or a probe that works). */
  readonly #failing = new Map<string, unknown>();
  /**
   * An open descriptor per mark folder, to fsync it without opening it for every commit. Plain
   * descriptors, not FileHandles: a store dropped without close() must not warn from the GC.
   */
  readonly #folderFds = new Map<string, Promise<number>>();
  /** Per mark folder, its prune under way (one at a time: close() waits for them). */
  readonly #pruning = new Map<string, Promise<void>>();

  readonly #legacyLock: LockOutOptions;

  private constructor(directory: string, warnings: readonly string[], legacyLock: LockOutOptions) {
    this.directory = directory;
    this.warnings = warnings;
    this.#legacyLock = legacyLock;
  }

  /** Opens (creating it 0700 if needed) `<home>/watermarks`; CONFIG_INVALID if it is not usable. */
  static async open(options: FileWatermarkStoreOptions): Promise<FileWatermarkStore> {
    const directory = join(options.home, 'watermarks');
    const warnings = options.changeNothing === true ? await inspectPrivateDirectory(directory) : await ensurePrivateDirectory(directory);
    if (options.check !== false && options.changeNothing !== true) {
      warnings.push(...(await checkFileSystem(directory)));
      await checkHomeFormat(directory);
    }
    return new FileWatermarkStore(directory, warnings, options.legacyLock ?? {});
  }

  /**
   * For readiness: every folder whose last commit failed takes a trial commit (so a fault that
   * has gone clears by itself, and one that lasts keeps the signer not ready even when no
   * request comes), then every mark is read (an unreadable one names its file in the error).
   */
  async probe(): Promise<void> {
    await stat(this.directory).catch((err: unknown) => {
      throw storeUnavailable(`the watermarks folder ${this.directory} cannot be read: ${describe(err)}`, err);
    });
    for (const [folder, failure] of this.#failing) {
      try {
        await this.#ensureFolder(folder);
        await tryCommit(folder);
      } catch (err) {
        throw failure instanceof TezsignerError ? failure : storeUnavailable(`cannot commit in ${folder}: ${describe(err)}`, err);
      }
      if (this.#failing.get(folder) === failure) this.#failing.delete(folder);
    }
    await this.list();
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

  /** Where every commit goes: a failure is remembered for readiness until one works again. */
  async #placeWatched(key: WatermarkKey, watermark: StoredWatermark): Promise<CommitResult> {
    const folder = this.folderOf(key);
    return this.#watched(folder, this.#place(key, folder, watermark));
  }

  /** `work` on `folder`'s marks: its failure is remembered for readiness until a commit or probe there works. */
  async #watched<T>(folder: string, work: Promise<T>): Promise<T> {
    try {
      const result = await work;
      this.#failing.delete(folder);
      return result;
    } catch (err) {
      this.#failing.set(folder, err);
      // whatever it was may be gone when the fault is: look at the folder afresh next time
      this.#readyFolders.delete(folder);
      this.#realFolders.delete(folder);
      throw err;
    }
  }

  async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    return this.#placeWatched(key, signedWatermark(signed));
  }

  /**
   * The commit of `signed` in two steps: the folder's checks and the mark's temporary file,
   * written durably, start now (nothing that a read, a listing or a commit of any process
   * takes for a mark); `complete()` links it into place and decides as `commit` does, and
   * `abandon()` removes it. A crash in between leaves a temporary name, pruned as clutter.
   */
  prepareCommit(key: WatermarkKey, signed: SignedMark): PreparedCommit {
    const watermark = signedWatermark(signed);
    const folder = this.folderOf(key);
    const refused = this.#watched(folder, this.#refusedEarly(key, folder, watermark));
    const staged = refused.then((early) => (early === undefined ? stageFile(inFolder(folder, markFileName(watermark)), serializeWatermark(watermark), 0o600) : undefined));
    // reported by complete(); an abandoned one's are nobody's
    staged.catch(() => undefined);
    return {
      complete: async () => {
        const early = await refused;
        if (early !== undefined) return early;
        return this.#watched(folder, this.#decide(key, folder, watermark, async (flushFolder) => (await staged)?.link(flushFolder)));
      },
      abandon: async () => {
        await (await staged.catch(() => undefined))?.drop();
      },
    };
  }

  async importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    for (const { key, watermark } of entries) {
      validateKey(key);
      const problem = watermarkProblem(watermark);
      if (problem !== undefined) throw badRequest(`cannot import a watermark: ${problem}`);
    }
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      if ((await this.#placeWatched(key, watermark)).committed) raised.push(key);
    }
    return raised;
  }

  async list(): Promise<readonly WatermarkEntry[]> {
    const keys: WatermarkKey[] = [];
    for (const chainId of await this.#folders(this.directory)) {
      for (const pkh of await this.#folders(join(this.directory, chainId))) {
        for (const kind of WATERMARK_KINDS) keys.push({ chainId, pkh, kind });
      }
    }
    // a bakery's hundreds of keys are hundreds of folders, each a few file calls: read
    // LIST_AT_ONCE at a time (at start and at each readiness probe), not one after the other
    const highest: Array<Promise<{ watermark?: StoredWatermark }>> = [];
    const reading = new Set<Promise<unknown>>();
    for (const key of keys) {
      if (reading.size >= LIST_AT_ONCE) await Promise.race(reading);
      const read = this.#highest(key);
      const settled: Promise<unknown> = read.then(
        () => reading.delete(settled),
        () => reading.delete(settled),
      );
      reading.add(settled);
      highest.push(read);
    }
    // the first failure in the folders' order, as one after the other would have found it
    const results = await Promise.allSettled(highest);
    const entries: WatermarkEntry[] = [];
    for (const [at, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      const { watermark } = result.value;
      if (watermark !== undefined) entries.push({ key: keys[at] as WatermarkKey, watermark });
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
  async #place(key: WatermarkKey, folder: string, watermark: StoredWatermark): Promise<CommitResult> {
    const refused = await this.#refusedEarly(key, folder, watermark);
    if (refused !== undefined) return refused;
    const path = inFolder(folder, markFileName(watermark));
    return this.#decide(key, folder, watermark, (flushFolder) => createFileAtomic(path, serializeWatermark(watermark), 0o600, flushFolder));
  }

  /**
   * What comes before a mark's file is written: its folder made ready (and a format-1 file
   * beside it retired); when this process has not read the folder yet, its highest mark read,
   * so that a mark at or below it writes nothing (the refusal is returned) and an unreadable
   * highest file stops the commit.
   */
  async #refusedEarly(key: WatermarkKey, folder: string, watermark: StoredWatermark): Promise<CommitResult | undefined> {
    if (!this.#known.has(folder)) {
      const before = await this.#highest(key);
      if (before.watermark !== undefined && !isAbove(watermark, before.watermark)) return { committed: false, stored: before.watermark };
    }
    await this.#ensureFolder(folder);
    await this.#migrate(folder, key.kind);
    return undefined;
  }

  /**
   * Has `create` put `watermark`'s file in place (it fails with EEXIST when the position is
   * taken) and flush the folder, then decides on what the folder holds: committed only if
   * that file is ours and the highest.
   */
  async #decide(key: WatermarkKey, folder: string, watermark: StoredWatermark, create: (flushFolder: (dir: string) => Promise<void>) => Promise<void>): Promise<CommitResult> {
    const name = markFileName(watermark);
    // The folder is listed while it is flushed: the listing need only come after the link
    // (it decides on what was linked before it), and the answer waits for both anyway.
    let names: string[] | undefined;
    const flushAndList = async (dir: string) => {
      [, names] = await Promise.all([this.#flush(dir), this.#names(folder)]);
    };
    try {
      await create(flushAndList);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT at the link: another process pruned our temp file because a mark at or above
      // its position was already there, which is what EEXIST says too
      if (code !== 'EEXIST' && !(code === 'ENOENT' && (err as NodeJS.ErrnoException).syscall === 'link')) {
        throw storeUnavailable(`cannot write the watermark file ${inFolder(folder, name)}: ${describe(err)}`, err);
      }
    }
    if (names !== undefined) {
      const format = claimedFormat(names);
      if (format !== undefined && format > STORE_FORMAT) throw newerFormat(folder, format);
      if (highestName(names)?.name === name) {
        this.#known.set(folder, { name, watermark });
        if (names.length > pruneThreshold(key)) this.#pruneLater(folder, names, watermark);
        return { committed: true };
      }
    }
    const { watermark: stored } = await this.#highest(key);
    if (stored === undefined) throw storeUnavailable(`the watermark file ${inFolder(folder, name)} vanished`);
    return { committed: false, stored };
  }

  /**
   * Retires the format-1 file `<kind>.json` beside the folder, once per process and folder,
   * before its first commit here: its mark moves into the folder, format 1 is locked out for
   * good and a marker folder takes the file's place (legacy-migration.ts says why no format-1
   * process, frozen anywhere, can then sign what this one does). A folder that never had such
   * a file gets the marker as well, else a format-1 process would find no mark and sign from
   * scratch.
   */
  async #migrate(folder: string, kind: string): Promise<void> {
    if (this.#migrated.has(folder)) return;
    const place = (watermark: StoredWatermark) =>
      createFileAtomic(inFolder(folder, markFileName(watermark)), serializeWatermark(watermark), 0o600, (dir) => this.#flush(dir)).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeUnavailable(`cannot move the watermark of ${folder}.json into ${folder}: ${describe(err)}`, err);
      });
    await retireLegacyFile({ folder, kind, place, lock: this.#legacyLock });
    this.#legacy.set(folder, undefined);
    this.#migrated.add(folder);
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
          throw storeCorrupt(`the watermark file ${path} holds level ${watermark.level} round ${watermark.round}, not what its name says; ${REPAIR_HINT}`);
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
    const legacy = await readLegacyEntry(`${folder}.json`);
    if (legacy.state === 'moved' && legacy.format > STORE_FORMAT) throw newerFormat(`${folder}.json`, legacy.format);
    if (legacy.state === 'damaged') throw legacyDamaged(`${folder}.json`, legacy.why);
    const watermark = legacy.state === 'mark' ? legacy.watermark : undefined;
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
    // the watermarks folder is made at opening, never while serving: gone, it took every mark
    // with it, and one made afresh would let a restarted signer sign anything again
    await stat(this.directory).catch((err: unknown) => {
      throw storeUnavailable(`the watermarks folder ${this.directory} is gone or unreadable (${describe(err)}): restore it from a backup; nothing is signed until then`, err);
    });
    await this.#refuseLinks(folder);
    try {
      await ensurePrivateDirectory(folder);
    } catch (err) {
      if (err instanceof TezsignerError) throw storeUnavailable(err.message, err);
      throw err;
    }
    await this.#refuseLinks(folder);
    this.#readyFolders.add(folder);
  }

  /**
   * STORE_CORRUPT when the mark folder or a folder above it (up to the watermarks folder) is a
   * symbolic link: marks must live where this home says, as keys do, not wherever a link leads.
   */
  async #refuseLinks(folder: string): Promise<void> {
    if (this.#realFolders.has(folder)) return;
    for (let dir = folder; dir.length > this.directory.length; dir = dirname(dir)) {
      let info;
      try {
        info = await lstat(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw storeUnavailable(`cannot read the watermark folder ${dir}: ${describe(err)}`, err);
      }
      if (info.isSymbolicLink()) {
        throw storeCorrupt(`the watermark folder ${dir} is a symbolic link; tezsigner keeps marks only in real folders of its home: replace the link with the folder it points to (mv), then start again`);
      }
      if (!info.isDirectory()) throw storeCorrupt(`${dir} is ${kindOf(info)}, where a folder of watermark files belongs; ${REPAIR_HINT}`);
    }
    this.#realFolders.add(folder);
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
    await this.#refuseLinks(folder);
    try {
      return await listFolder(folder);
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
      if (position !== undefined && compareMarks(position, kept) < 0) return unlinkPath(path).catch(() => undefined);
      // A temp file whose position is at or below the highest mark can never commit (its link
      // fails, or lands below the highest): its writer is dead, or will fail closed. One above
      // is left for a live writer, and goes at a later prune. No clock decides.
      const target = tempFileTarget(name);
      if (target !== undefined && compareMarks(target, kept) <= 0) return unlinkPath(path).catch(() => undefined);
      return undefined;
    }),
  );
}

/**
 * How many files `key`'s folder gathers before a commit prunes it: PRUNE_AT to twice that less
 * one, by key and kind. A bakery's keys each commit once per level, so with one threshold for
 * all, every folder of a kind would reach it at the same level and be pruned at once, thousands
 * of unlinks in the middle of that level's answers; spread by the address's last character
 * (base58, about uniform), a level prunes about one folder in eight, and over time a folder
 * still loses as many files as it gains.
 */
function pruneThreshold(key: WatermarkKey): number {
  return PRUNE_AT + ((key.pkh.charCodeAt(key.pkh.length - 1) + WATERMARK_KINDS.indexOf(key.kind)) % PRUNE_AT);
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

/** What a commit stores of `signed`, once checked: a mark with its signature, nothing else. */
function signedWatermark(signed: SignedMark): StoredWatermark {
  validateMark(signed);
  if (typeof signed.signature !== 'string' || signed.signature === '') throw badRequest('cannot commit a mark without its signature');
  const { level, round, hash, signature } = signed;
  return { level, round, hash, signature };
}

function validateMark(mark: WatermarkMark): void {
  const problem = watermarkProblem({ level: mark.level, round: mark.round, hash: mark.hash });
  if (problem !== undefined) throw badRequest(`invalid watermark mark: ${problem}`);
}
