import { constants } from 'node:fs';
import { lstat, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DAY_MS, TezsignerError, badRequest, ledgerEntryProblem, storeCorrupt, storeUnavailable, type LedgerEntry, type PositionedEntry, type SpendingStore } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { readSmallFile } from '../files/small-file.js';
import { describe, ensurePrivateDirectory } from '../files/private-directory.js';
import { parseEntry, serializeEntry } from './entry-file.js';

const ENTRY = /^(\d{12})\.json$/;
const PKH = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;
/** Beside the entries: the last position appended, a hint where a fresh reader starts (checked, never trusted). */
const HEAD = 'head';

const entryName = (position: number) => `${String(position).padStart(12, '0')}.json`;

/**
 * Each key's entries as files, one per signed operation: `<home>/spending/<pkh>/<position>.json`,
 * each created exclusively (written durably, then link(2)ed into place, which fails if the name
 * exists), so two processes that read the same last entry cannot both append after it. A fresh
 * reader starts at the position `head` names (written after each append, not flushed: it is only
 * where to look) and reads forward until a position is free; without a recent hint it lists the
 * folder once. Old entries are removed oldest first, so those left are one run of positions.
 */
export class FileSpendingStore implements SpendingStore {
  readonly name: string;
  readonly directory: string;
  readonly #now: () => number;
  readonly #realFolders = new Set<string>();
  readonly #heads = new Map<string, Promise<FileHandle | undefined>>();

  constructor(directory: string, now: () => number = Date.now) {
    this.directory = directory;
    this.name = `file ${directory}`;
    this.#now = now;
  }

  async entriesAfter(pkh: string, position: number): Promise<readonly PositionedEntry[] | undefined> {
    const folder = await this.#folder(pkh);
    const after = await this.#forward(folder, position);
    // nothing after it, and it is gone too: removed as old while this process was not looking
    if (after.length === 0 && (position < 0 || !(await exists(join(folder, entryName(position)))))) return undefined;
    return after;
  }

  async newest(pkh: string): Promise<readonly PositionedEntry[]> {
    const folder = await this.#folder(pkh);
    const hinted = await this.#hint(folder);
    if (hinted !== undefined) {
      const entry = await readEntry(join(folder, entryName(hinted)));
      // a recent entry: nothing before it was removed as old, and every position after it is one run
      if (entry !== undefined && entry.time >= this.#now() - DAY_MS) return [[hinted, entry], ...(await this.#forward(folder, hinted))];
    }
    const positions = await this.#positions(folder);
    for (const position of positions.reverse()) {
      const entry = await readEntry(join(folder, entryName(position)));
      if (entry !== undefined) return [[position, entry], ...(await this.#forward(folder, position))];
    }
    return [];
  }

  async entryAt(pkh: string, position: number): Promise<LedgerEntry | undefined> {
    return readEntry(join(await this.#folder(pkh), entryName(position)));
  }

  async all(pkh: string): Promise<readonly PositionedEntry[]> {
    const folder = await this.#folder(pkh);
    const entries: PositionedEntry[] = [];
    for (const position of await this.#positions(folder)) {
      const entry = await readEntry(join(folder, entryName(position)));
      if (entry !== undefined) entries.push([position, entry]);
    }
    return entries;
  }

  async create(pkh: string, position: number, entry: LedgerEntry): Promise<boolean> {
    const folder = await this.#folder(pkh);
    if (!this.#realFolders.has(folder)) {
      // a folder that cannot be made private is an outage of the store: nothing is signed under a cap
      const unavailable = (err: unknown) => Promise.reject(err instanceof TezsignerError ? storeUnavailable(err.message, err) : err);
      for (const dir of [this.directory, folder]) await ensurePrivateDirectory(dir).catch(unavailable);
      await this.#refuseLinks(folder);
      this.#realFolders.add(folder);
    }
    try {
      await createFileAtomic(join(folder, entryName(position)), serializeEntry(entry));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw storeUnavailable(`cannot record the spending of ${pkh} in ${folder}: ${describe(err)}`, err);
    }
    await this.#writeHint(folder, position);
    return true;
  }

  async removeBefore(pkh: string, position: number): Promise<void> {
    const folder = await this.#folder(pkh);
    for (const old of await this.#positions(folder)) {
      if (old >= position) break;
      await unlink(join(folder, entryName(old))).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const heads = [...this.#heads.values()];
    this.#heads.clear();
    await Promise.all(heads.map(async (head) => (await head)?.close().catch(() => undefined)));
  }

  /** The key's folder, refused when it (or the spending folder) is a symbolic link. */
  async #folder(pkh: string): Promise<string> {
    if (!PKH.test(pkh)) throw badRequest(`${JSON.stringify(pkh)} is not a key hash`);
    const folder = join(this.directory, pkh);
    if (!this.#realFolders.has(folder)) await this.#refuseLinks(folder);
    return folder;
  }

  /**
   * STORE_CORRUPT when the spending folder or the key's is a symbolic link (or not a folder):
   * spending is kept where this home says, as marks are, not wherever a link leads.
   */
  async #refuseLinks(folder: string): Promise<void> {
    for (const dir of [this.directory, folder]) {
      const kind = await kindOf(dir);
      if (kind === 'absent') return;
      if (kind === 'link') {
        throw storeCorrupt(`the spending folder ${dir} is a symbolic link; tezsigner keeps spending only in real folders of its home: replace the link with the folder it points to (mv), then start again`);
      }
      if (kind !== 'folder') throw storeCorrupt(`${dir} should be a folder of spending entries; nothing is signed under a cap until it is one`);
    }
  }

  /** The entries after `position`, read until a position is free. */
  async #forward(folder: string, position: number): Promise<PositionedEntry[]> {
    const entries: PositionedEntry[] = [];
    for (let next = position + 1; ; next++) {
      const entry = await readEntry(join(folder, entryName(next)));
      if (entry === undefined) return entries;
      entries.push([next, entry]);
    }
  }

  /** The positions of the folder's entries, in order (none when it does not exist). */
  async #positions(folder: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeUnavailable(`cannot list the spending entries in ${folder}: ${describe(err)}`, err);
    }
    return names.flatMap((name) => {
      const match = ENTRY.exec(name);
      return match === null ? [] : [Number(match[1])];
    }).sort((a, b) => a - b);
  }

  async #hint(folder: string): Promise<number | undefined> {
    const text = await readSmallFile(join(folder, HEAD)).catch(() => undefined);
    const match = text === undefined ? null : /^(\d{12})\n$/.exec(text);
    return match === null ? undefined : Number(match[1]);
  }

  /** Best effort, in place (one write of a fixed length): a lost or torn hint only costs a fresh reader a listing. */
  async #writeHint(folder: string, position: number): Promise<void> {
    let head = this.#heads.get(folder);
    if (head === undefined) {
      head = open(join(folder, HEAD), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600).catch(() => undefined);
      this.#heads.set(folder, head);
    }
    await (await head)?.write(`${String(position).padStart(12, '0')}\n`, 0).catch(() => undefined);
  }
}

/** What is at `path`, the link itself when it is one. */
async function kindOf(path: string): Promise<'absent' | 'link' | 'folder' | 'other'> {
  const info = await lstat(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storeUnavailable(`cannot read the spending folder ${path}: ${describe(err)}`, err);
  });
  if (info === undefined) return 'absent';
  return info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'folder' : 'other';
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw storeUnavailable(`cannot read the spending entry ${path}: ${describe(err)}`, err);
    },
  );
}

/** One entry file; undefined when there is none (never written, or removed as old). */
async function readEntry(path: string): Promise<LedgerEntry | undefined> {
  let text: string | undefined;
  try {
    // never through a link: tezsigner makes none
    text = await readSmallFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw storeCorrupt(`the spending entry ${path} is a symbolic link, which tezsigner never makes; nothing is signed for this key until it is removed`, err);
    throw storeUnavailable(`cannot read the spending entry ${path}: ${describe(err)}`, err);
  }
  if (text === undefined) return undefined;
  const damaged = (why: string) => storeCorrupt(`the spending entry ${path} is damaged (${why}); nothing is signed for this key until it is fixed`);
  const entry = parseEntry(text);
  if (entry === undefined) throw damaged('not an entry');
  const problem = ledgerEntryProblem(entry, Number(ENTRY.exec(basename(path))?.[1] ?? Number.NaN));
  if (problem !== undefined) throw damaged(problem);
  return entry;
}
