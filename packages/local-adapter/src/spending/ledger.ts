import { readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS, badRequest, storeCorrupt, storeUnavailable, sumSince, type LedgerView, type Spending, type SpendingLedger } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { describe, ensurePrivateDirectory } from '../files/private-directory.js';
import { readLegacySpending } from './legacy-file.js';

const ENTRY = /^(\d{12})\.json$/;
const PKH = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;
/** Entries older than this are removed (never the last one): twice the window, for clocks that differ. */
const KEEP_MS = 2 * DAY_MS;
/** Old entries a folder may gather before an append removes them. */
const PRUNE_AT = 64;

const entryName = (position: number) => `${String(position).padStart(12, '0')}.json`;

/**
 * Each key's spending as a sequence of files, one per signed operation:
 * `<home>/spending/<pkh>/<position>.json`. An entry is created exclusively at the position
 * after the last one read (written durably, then link(2)ed into place, which fails if the
 * name exists), the same clock-free exclusion the watermark files use: two processes on one
 * home that judged the same spending cannot both append, and the loser judges again with
 * the winner's entry. No lock, nothing rewritten, nothing written before the first append.
 * Entries never change once written, so each process reads only the names it has not seen.
 */
export class FileSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly directory: string;
  readonly #legacy: Map<string, Spending[]>;
  /** per key, the entries read or written, by position */
  readonly #seen = new Map<string, Map<number, Spending>>();
  readonly #readyFolders = new Set<string>();

  private constructor(directory: string, legacy: Map<string, Spending[]>) {
    this.directory = directory;
    this.name = `file ${directory}`;
    this.#legacy = legacy;
  }

  /** Reads the home's ledger; changes nothing on disk (a signer that then fails to start leaves no trace). */
  static async open(options: { home: string }): Promise<FileSpendingLedger> {
    return new FileSpendingLedger(join(options.home, 'spending'), await readLegacySpending(join(options.home, 'spending.jsonl')));
  }

  async read(pkh: string, since: number): Promise<LedgerView> {
    const folder = this.#folder(pkh);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storeUnavailable(`cannot list the spending of ${pkh} in ${folder}: ${describe(err)}`, err);
      names = [];
    }
    const seen = this.#seen.get(pkh) ?? new Map<number, Spending>();
    this.#seen.set(pkh, seen);
    const listed = new Set<number>();
    let last = -1;
    for (const name of names) {
      const match = ENTRY.exec(name);
      if (match === null) continue;
      const position = Number(match[1]);
      listed.add(position);
      last = Math.max(last, position);
      if (!seen.has(position)) {
        const entry = await readEntry(join(folder, name));
        if (entry !== undefined) seen.set(position, entry);
      }
    }
    // pruned by another process: older than any window
    for (const position of seen.keys()) if (!listed.has(position)) seen.delete(position);
    const fromFiles = sumSince(seen.values(), since);
    const legacy = sumSince(this.#legacy.get(pkh) ?? [], since);
    return { spent: { amount: fromFiles.amount + legacy.amount, fee: fromFiles.fee + legacy.fee }, next: last + 1 };
  }

  async append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    if (!Number.isSafeInteger(at) || at < 0 || at >= 1e12) throw badRequest(`no spending entry can go at ${at}`);
    const folder = this.#folder(pkh);
    if (!this.#readyFolders.has(folder)) {
      await ensurePrivateDirectory(this.directory);
      await ensurePrivateDirectory(folder);
      this.#readyFolders.add(folder);
    }
    const content = JSON.stringify({ time: spending.time, amount: spending.amount.toString(), fee: spending.fee.toString() });
    try {
      await createFileAtomic(join(folder, entryName(at)), `${content}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw storeUnavailable(`cannot record the spending of ${pkh} in ${folder}: ${describe(err)}`, err);
    }
    const seen = this.#seen.get(pkh) ?? new Map<number, Spending>();
    seen.set(at, spending);
    this.#seen.set(pkh, seen);
    await this.#prune(folder, seen, at, spending.time - KEEP_MS);
    return true;
  }

  /** Removes entries no window can count any more, never the last one (it holds the position). */
  async #prune(folder: string, seen: Map<number, Spending>, last: number, before: number): Promise<void> {
    const old = [...seen].filter(([position, entry]) => position !== last && entry.time < before);
    if (old.length < PRUNE_AT) return;
    for (const [position] of old) {
      await unlink(join(folder, entryName(position))).catch(() => undefined);
      seen.delete(position);
    }
  }

  #folder(pkh: string): string {
    if (!PKH.test(pkh)) throw badRequest(`${JSON.stringify(pkh)} is not a key hash`);
    return join(this.directory, pkh);
  }
}

async function readEntry(path: string): Promise<Spending | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // pruned between the listing and the read: it was older than any window
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storeUnavailable(`cannot read the spending entry ${path}: ${describe(err)}`, err);
  }
  let value: { time?: unknown; amount?: unknown; fee?: unknown } | undefined;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    value = undefined;
  }
  const { time, amount, fee } = value ?? {};
  if (!Number.isSafeInteger(time) || typeof amount !== 'string' || !/^\d+$/.test(amount) || typeof fee !== 'string' || !/^\d+$/.test(fee)) {
    throw storeCorrupt(`the spending entry ${path} is damaged; nothing is signed for this key until it is fixed`);
  }
  return { time: time as number, amount: BigInt(amount), fee: BigInt(fee) };
}
