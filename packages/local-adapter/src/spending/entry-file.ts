import type { EntryChain, LedgerEntry } from '@tezsigner/core';

const MUTEZ = /^\d+$/;
const isMutez = (value: unknown): value is string => typeof value === 'string' && MUTEZ.test(value);
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * One entry file's text: `{"time", "amount", "fee", "chain": {"amount", "fee", "latest", "run",
 * "window"}}`, mutez as decimal text (JSON has no 64-bit integers). Releases before the running
 * totals wrote the first three alone, and read only those of what this one writes.
 */
export function serializeEntry(entry: LedgerEntry): string {
  const { chain } = entry;
  const totals = chain === undefined ? {} : { chain: { amount: chain.amount.toString(), fee: chain.fee.toString(), latest: chain.latest, run: chain.run, window: chain.window } };
  return `${JSON.stringify({ time: entry.time, amount: entry.amount.toString(), fee: entry.fee.toString(), ...totals })}\n`;
}

function parseChain(value: unknown): EntryChain | undefined | false {
  if (value === undefined) return undefined;
  const chain = value as Record<string, unknown> | null;
  if (typeof chain !== 'object' || chain === null) return false;
  const { amount, fee, latest, run, window } = chain;
  if (!isMutez(amount) || !isMutez(fee) || !isInteger(latest) || !isInteger(run) || !isInteger(window)) return false;
  return { amount: BigInt(amount), fee: BigInt(fee), latest, run, window };
}

/** The entry an entry file holds; undefined when it holds anything else. */
export function parseEntry(text: string): LedgerEntry | undefined {
  let value: Record<string, unknown> | null;
  try {
    value = JSON.parse(text) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { time, amount, fee } = value;
  const chain = parseChain(value['chain']);
  if (!isInteger(time) || !isMutez(amount) || !isMutez(fee) || chain === false) return undefined;
  return { time, amount: BigInt(amount), fee: BigInt(fee), ...(chain === undefined ? {} : { chain }) };
}
