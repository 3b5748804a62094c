import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DAY_MS, isTezsignerError } from '@tezsigner/core';
import { raceForOnePosition } from '../../../../test-support/ledger-race.js';
import { FileSpendingLedger } from './ledger.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const OTHER = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const T0 = Date.UTC(2026, 0, 1);

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-ledger-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

test('what a key spent survives a restart, per key, and outside the window no longer counts', async () => {
  const first = await FileSpendingLedger.open({ home });
  expect(await first.append(PKH, 0, { time: T0, amount: 7_000_000n, fee: 1_000n })).toBe(true);
  expect(await first.append(PKH, 1, { time: T0 + 1_000, amount: 3_000_000n, fee: 500n })).toBe(true);
  expect(await first.append(OTHER, 0, { time: T0 + 2_000, amount: 1n, fee: 1n })).toBe(true);

  const reopened = await FileSpendingLedger.open({ home });
  expect(await reopened.read(PKH, T0 + 10_000 - DAY_MS)).toEqual({ spent: { amount: 10_000_000n, fee: 1_500n }, next: 2 });
  expect(await reopened.read(PKH, T0 + 500)).toEqual({ spent: { amount: 3_000_000n, fee: 500n }, next: 2 });
  expect(await reopened.read(OTHER, 0)).toEqual({ spent: { amount: 1n, fee: 1n }, next: 1 });
  const file = join(home, 'spending', PKH, '000000000001.json');
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ time: T0 + 1_000, amount: '3000000', fee: '500' });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await stat(join(home, 'spending', PKH))).mode & 0o777).toBe(0o700);
});

test('two ledgers on one home: a position is taken once; the loser reads the winner\'s entry', async () => {
  const a = await FileSpendingLedger.open({ home });
  const b = await FileSpendingLedger.open({ home });
  const { views, appended, winner } = await raceForOnePosition(a, b, PKH, T0);
  expect(views[0]).toEqual(views[1]);
  expect(appended.filter(Boolean)).toHaveLength(1);
  expect(await a.read(PKH, 0)).toEqual({ spent: { amount: winner, fee: 1n }, next: 1 });
  expect(await b.read(PKH, 0)).toEqual({ spent: { amount: winner, fee: 1n }, next: 1 });
});

test('opening writes nothing; an older spending.jsonl is counted, read only', async () => {
  const legacy = join(home, 'spending.jsonl');
  const text = `{"key":"${PKH}","time":${T0},"amount":"5","fee":"1"}\n{"key":"tz1VnNSWW9UdZCEPgUFua6nHx`;
  await writeFile(legacy, text);
  const ledger = await FileSpendingLedger.open({ home });
  expect(await readdir(home)).toEqual(['spending.jsonl']);
  expect(await ledger.read(PKH, 0)).toEqual({ spent: { amount: 5n, fee: 1n }, next: 0 });
  await ledger.append(PKH, 0, { time: T0, amount: 2n, fee: 0n });
  expect(await ledger.read(PKH, 0)).toEqual({ spent: { amount: 7n, fee: 1n }, next: 1 });
  expect(await readFile(legacy, 'utf8')).toBe(text);
});

test('a damaged entry refuses (STORE_CORRUPT) rather than count it as nothing', async () => {
  const ledger = await FileSpendingLedger.open({ home });
  await ledger.append(PKH, 0, { time: T0, amount: 5n, fee: 1n });
  await writeFile(join(home, 'spending', PKH, '000000000001.json'), '{"time":1,"amount":"-5","fee":"1"}');
  const refused = await ledger.read(PKH, 0).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isTezsignerError(refused, 'STORE_CORRUPT')).toBe(true);
  await appendFile(join(home, 'spending.jsonl'), `{"key":"${PKH}","time":${T0},"amount":"x","fee":"1"}\n`);
  await expect(FileSpendingLedger.open({ home })).rejects.toThrow(/line 1/);
});

test('entries past two windows are removed once many gather, never the last one', async () => {
  const ledger = await FileSpendingLedger.open({ home });
  for (let at = 0; at < 64; at++) await ledger.append(PKH, at, { time: T0, amount: 1n, fee: 0n });
  await ledger.append(PKH, 64, { time: T0 + 2 * DAY_MS + 1, amount: 9n, fee: 0n });
  expect(await readdir(join(home, 'spending', PKH))).toEqual(['000000000064.json']);
  const reopened = await FileSpendingLedger.open({ home });
  expect(await reopened.read(PKH, 0)).toEqual({ spent: { amount: 9n, fee: 0n }, next: 65 });
});
