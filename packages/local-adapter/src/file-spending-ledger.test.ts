import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DAY_MS, isTezsignerError } from '@tezsigner/core';
import { FileSpendingLedger } from './file-spending-ledger.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const OTHER = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const T0 = Date.UTC(2026, 0, 1);

let home: string;
let path: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-ledger-'));
  path = join(home, 'spending.jsonl');
});
afterEach(() => rm(home, { recursive: true, force: true }));

test('what a key spent survives a restart, per key, and a day later it no longer counts', async () => {
  const first = await FileSpendingLedger.open(path, { now: () => T0 });
  await first.record(PKH, { time: T0, amount: 7_000_000n, fee: 1_000n });
  await first.record(PKH, { time: T0 + 1_000, amount: 3_000_000n, fee: 500n });
  await first.record(OTHER, { time: T0 + 2_000, amount: 1n, fee: 1n });
  await first.close();

  const reopened = await FileSpendingLedger.open(path, { now: () => T0 + 10_000 });
  expect(await reopened.spentSince(PKH, T0 + 10_000 - DAY_MS)).toEqual({ amount: 10_000_000n, fee: 1_500n });
  expect(await reopened.spentSince(PKH, T0 + 500)).toEqual({ amount: 3_000_000n, fee: 500n });
  expect(await reopened.spentSince(OTHER, 0)).toEqual({ amount: 1n, fee: 1n });
  await reopened.close();

  // reopened a day after the first entry: it is dropped from the file, the second stays
  const later = await FileSpendingLedger.open(path, { now: () => T0 + DAY_MS + 500 });
  expect(await later.spentSince(PKH, 0)).toEqual({ amount: 3_000_000n, fee: 500n });
  await later.close();
  expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);
  expect((await stat(path)).mode & 0o777).toBe(0o600);
});

test('a last line cut short by a crash is dropped; a damaged line before it is refused', async () => {
  const ledger = await FileSpendingLedger.open(path, { now: () => T0 });
  await ledger.record(PKH, { time: T0, amount: 5n, fee: 1n });
  await ledger.close();
  await appendFile(path, '{"key":"tz1VnNSWW9UdZCEPgUFua6nHx');
  const reopened = await FileSpendingLedger.open(path, { now: () => T0 });
  expect(await reopened.spentSince(PKH, 0)).toEqual({ amount: 5n, fee: 1n });
  await reopened.close();

  await writeFile(path, `{"key":"${PKH}","time":${T0},"amount":"-5","fee":"1"}\n`);
  const refused = await FileSpendingLedger.open(path, { now: () => T0 }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isTezsignerError(refused, 'STORE_CORRUPT')).toBe(true);
  expect((refused as Error).message).toContain('line 1');
});
