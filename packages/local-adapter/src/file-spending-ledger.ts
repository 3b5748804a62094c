import { readFile } from 'node:fs/promises';
import { DAY_MS, storeCorrupt, sumSince, type Spending, type SpendingLedger } from '@tezsigner/core';
import { writeFileAtomic } from './files/atomic-write.js';
import { DurableAppendFile } from './files/durable-append.js';
import { describe } from './files/private-directory.js';

interface Line {
  readonly key: string;
  readonly time: number;
  /** mutez, as decimal strings (JSON has no 64-bit integers) */
  readonly amount: string;
  readonly fee: string;
}

const isLine = (value: unknown): value is Line => {
  const line = value as Partial<Line> | null;
  return (
    typeof line === 'object' && line !== null && typeof line.key === 'string' && Number.isSafeInteger(line.time) &&
    typeof line.amount === 'string' && /^\d+$/.test(line.amount) && typeof line.fee === 'string' && /^\d+$/.test(line.fee)
  );
};

/**
 * Each key's spending over the last 24 hours, in one JSON-lines file of the home: an entry is
 * appended and flushed before the operation it pays for is signed, so a restart forgets
 * nothing a rolling cap must count. Opening rewrites the file with the last day only.
 */
export class FileSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly #entries: Map<string, Spending[]>;
  readonly #file: DurableAppendFile;

  private constructor(file: DurableAppendFile, entries: Map<string, Spending[]>) {
    this.name = `file ${file.path}`;
    this.#file = file;
    this.#entries = entries;
  }

  static async open(path: string, options: { now?: () => number } = {}): Promise<FileSpendingLedger> {
    const since = (options.now ?? Date.now)() - DAY_MS;
    const entries = new Map<string, Spending[]>();
    const kept: string[] = [];
    for (const line of await readLines(path)) {
      if (line.time < since) continue;
      entries.set(line.key, [...(entries.get(line.key) ?? []), { time: line.time, amount: BigInt(line.amount), fee: BigInt(line.fee) }]);
      kept.push(JSON.stringify(line));
    }
    await writeFileAtomic(path, kept.map((line) => `${line}\n`).join(''));
    return new FileSpendingLedger(await DurableAppendFile.open(path), entries);
  }

  async spentSince(pkh: string, since: number): Promise<{ amount: bigint; fee: bigint }> {
    return sumSince(this.#entries.get(pkh) ?? [], since);
  }

  async record(pkh: string, spending: Spending): Promise<void> {
    const line: Line = { key: pkh, time: spending.time, amount: spending.amount.toString(), fee: spending.fee.toString() };
    await this.#file.append(JSON.stringify(line));
    this.#entries.set(pkh, [...(this.#entries.get(pkh) ?? []), spending]);
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

async function readLines(path: string): Promise<Line[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storeCorrupt(`cannot read the spending ledger ${path}: ${describe(err)}`, err);
  }
  const lines = text.split('\n');
  // a last line without its newline was being written when the process died: its append
  // never completed, so nothing it would pay for was signed
  if (lines.at(-1) !== '') lines.pop();
  return lines.filter((line) => line !== '').map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (!isLine(value)) throw storeCorrupt(`the spending ledger ${path} is damaged at line ${index + 1}; fix or remove that line`);
    return value;
  });
}
