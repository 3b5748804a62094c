import { readFile } from 'node:fs/promises';
import { storeCorrupt, type Spending } from '@tezsigner/core';
import { describe } from '../files/private-directory.js';

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
 * The spending an older tezsigner kept in `<home>/spending.jsonl`, by key: read once, only
 * read (nothing writes that file any more), so an upgrade within a day still counts it.
 */
export async function readLegacySpending(path: string): Promise<Map<string, Spending[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw storeCorrupt(`cannot read the spending ledger ${path}: ${describe(err)}`, err);
  }
  const lines = text.split('\n');
  // a last line without its newline was being written when the process died: its append
  // never completed, so nothing it would pay for was signed
  if (lines.at(-1) !== '') lines.pop();
  const entries = new Map<string, Spending[]>();
  lines.forEach((text, index) => {
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!isLine(value)) throw storeCorrupt(`the spending ledger ${path} is damaged at line ${index + 1}; fix or remove that line`);
    entries.set(value.key, [...(entries.get(value.key) ?? []), { time: value.time, amount: BigInt(value.amount), fee: BigInt(value.fee) }]);
  });
  return entries;
}
