import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DAY_MS, isTezsignerError } from '@tezsigner/core';
import { raceForOnePosition } from '../../../../test-support/ledger-race.js';
import { descriptorsUnder } from '../../../../test-support/open-descriptors.js';
import { FileSpendingLedger } from './ledger.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const OTHER = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const T0 = Date.UTC(2026, 0, 1);

let home: string;
const opened: FileSpendingLedger[] = [];
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-ledger-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ledger) => ledger.close()));
  // a ledger keeps each key's hint file open until it is closed, as a signer closes its own
  expect(await descriptorsUnder(home)).toEqual([]);
  await rm(home, { recursive: true, force: true });
});

/** A ledger of the test's, closed when the test ends. */
async function openLedger(options: Parameters<typeof FileSpendingLedger.open>[0]): Promise<FileSpendingLedger> {
  const ledger = await FileSpendingLedger.open(options);
  opened.push(ledger);
  return ledger;
}

test('what a key spent survives a restart, per key, and outside the window no longer counts', async () => {
  const first = await openLedger({ home });
  expect(await first.append(PKH, 0, { time: T0, amount: 7_000_000n, fee: 1_000n })).toBe(true);
  expect(await first.append(PKH, 1, { time: T0 + 1_000, amount: 3_000_000n, fee: 500n })).toBe(true);
  expect(await first.append(OTHER, 0, { time: T0 + 2_000, amount: 1n, fee: 1n })).toBe(true);

  const reopened = await openLedger({ home });
  expect(await reopened.read(PKH, T0 + 10_000 - DAY_MS)).toEqual({ spent: { amount: 10_000_000n, fee: 1_500n }, next: 2 });
  expect(await reopened.read(PKH, T0 + 500)).toEqual({ spent: { amount: 3_000_000n, fee: 500n }, next: 2 });
  expect(await reopened.read(OTHER, 0)).toEqual({ spent: { amount: 1n, fee: 1n }, next: 1 });
  const file = join(home, 'spending', PKH, '000000000001.json');
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ time: T0 + 1_000, amount: '3000000', fee: '500', chain: { amount: '10000000', fee: '1500', latest: T0 + 1_000, run: 0, window: 1 } });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await stat(join(home, 'spending', PKH))).mode & 0o777).toBe(0o700);
});

test('two ledgers on one home: a position is taken once; the loser reads the winner\'s entry', async () => {
  const a = await openLedger({ home });
  const b = await openLedger({ home });
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
  const ledger = await openLedger({ home });
  expect(await readdir(home)).toEqual(['spending.jsonl']);
  expect(await ledger.read(PKH, 0)).toEqual({ spent: { amount: 5n, fee: 1n }, next: 0 });
  await ledger.append(PKH, 0, { time: T0, amount: 2n, fee: 0n });
  expect(await ledger.read(PKH, 0)).toEqual({ spent: { amount: 7n, fee: 1n }, next: 1 });
  expect(await readFile(legacy, 'utf8')).toBe(text);
});

test('a damaged entry refuses (STORE_CORRUPT) rather than count it as nothing', async () => {
  const ledger = await openLedger({ home });
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

test('entries more than a week older than the newest are removed, oldest first; the rest still count', async () => {
  let now = T0;
  const ledger = await openLedger({ home, now: () => now });
  for (let at = 0; at < 200; at++) expect(await ledger.append(PKH, at, { time: T0, amount: 1n, fee: 0n })).toBe(true);
  // eight days later: the 256th position prunes what is a week older than the newest entries
  now = T0 + 8 * DAY_MS;
  for (let at = 200; at <= 256; at++) expect(await ledger.append(PKH, at, { time: now, amount: 2n, fee: 1n })).toBe(true);
  await ledger.close();
  const names = (await readdir(join(home, 'spending', PKH))).filter((name) => name.endsWith('.json'));
  expect(names).toHaveLength(57);
  expect(names.sort()[0]).toBe('000000000200.json');
  const reopened = await openLedger({ home, now: () => now });
  expect(await reopened.read(PKH, now - DAY_MS)).toEqual({ spent: { amount: 114n, fee: 57n }, next: 257 });
});

test('a fresh process finds the last entry whatever the hint beside them says', async () => {
  const ledger = await openLedger({ home, now: () => T0 });
  for (let at = 0; at < 20; at++) await ledger.append(PKH, at, { time: T0 + at, amount: 10n, fee: 1n });
  await ledger.close();
  for (const hint of ['000000000003\n', '000000000999\n', 'garbage', '']) {
    await writeFile(join(home, 'spending', PKH, 'head'), hint);
    const fresh = await openLedger({ home, now: () => T0 });
    expect(await fresh.read(PKH, T0 + 5)).toEqual({ spent: { amount: 150n, fee: 15n }, next: 20 });
    await fresh.close();
  }
});

test('entries an older release wrote (no totals) are counted with the new ones', async () => {
  await mkdir(join(home, 'spending', PKH), { recursive: true, mode: 0o700 });
  for (let at = 0; at < 3; at++) await writeFile(join(home, 'spending', PKH, `00000000000${at}.json`), `{"time":${T0 + at},"amount":"100","fee":"1"}\n`, { mode: 0o600 });
  const ledger = await openLedger({ home, now: () => T0 });
  expect(await ledger.read(PKH, T0 + 1)).toEqual({ spent: { amount: 200n, fee: 2n }, next: 3 });
  expect(await ledger.append(PKH, 3, { time: T0 + 3, amount: 5n, fee: 0n })).toBe(true);
  const fresh = await openLedger({ home, now: () => T0 });
  expect(await fresh.read(PKH, T0 + 1)).toEqual({ spent: { amount: 205n, fee: 2n }, next: 4 });
  expect(await fresh.read(PKH, T0 + 3)).toEqual({ spent: { amount: 5n, fee: 0n }, next: 4 });
});

describe('symbolic links', () => {
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (err: unknown) => (isTezsignerError(err, 'STORE_CORRUPT') ? err.message : `other: ${String(err)}`),
    );

  test('a spending folder or a key\'s folder that is a symbolic link is refused (STORE_CORRUPT), and nothing is written through it', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'tezsigner-elsewhere-'));
    try {
      await symlink(elsewhere, join(home, 'spending'));
      const ledger = await openLedger({ home });
      expect(await refusal(ledger.read(PKH, 0))).toMatch(/the spending folder .*spending is a symbolic link; .*replace the link with the folder it points to/);
      expect(await refusal(ledger.append(PKH, 0, { time: T0, amount: 1n, fee: 0n }))).toMatch(/is a symbolic link/);
      expect(await readdir(elsewhere)).toEqual([]);
      await rm(join(home, 'spending'));
      await mkdir(join(home, 'spending'), { mode: 0o700 });
      await symlink(elsewhere, join(home, 'spending', PKH));
      const again = await openLedger({ home });
      expect(await refusal(again.read(PKH, 0))).toMatch(new RegExp(`the spending folder .*${PKH} is a symbolic link`));
      expect(await refusal(again.append(PKH, 0, { time: T0, amount: 1n, fee: 0n }))).toMatch(/is a symbolic link/);
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('an entry that is a symbolic link is refused, not followed', async () => {
    const ledger = await openLedger({ home });
    await ledger.append(PKH, 0, { time: T0, amount: 1n, fee: 0n });
    await writeFile(join(home, 'decoy.json'), '{"time":1,"amount":"0","fee":"0"}');
    await symlink(join(home, 'decoy.json'), join(home, 'spending', PKH, '000000000001.json'));
    expect(await refusal((await openLedger({ home })).read(PKH, 0))).toMatch(/000000000001\.json is a symbolic link/);
  });
});
