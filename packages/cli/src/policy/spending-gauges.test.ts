import { DAY_MS, MemorySpendingLedger, type Policy, type SpendingLedger } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { spendingGauges } from './spending-gauges.js';

const BAKER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const PAYOUTS = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const NOW = Date.UTC(2030, 5, 1, 12);

async function ledgerWith(entries: readonly [string, number, bigint, bigint][]): Promise<MemorySpendingLedger> {
  const ledger = new MemorySpendingLedger();
  const next = new Map<string, number>();
  for (const [pkh, time, amount, fee] of entries) {
    const at = next.get(pkh) ?? 0;
    expect(await ledger.append(pkh, at, { time, amount, fee })).toBe(true);
    next.set(pkh, at + 1);
  }
  return ledger;
}

test("each capped key's spending over the last 24 h, against the caps the policy in force sets; uncapped keys are not read", async () => {
  const ledger = await ledgerWith([
    [PAYOUTS, NOW - DAY_MS - 1, 50_000_000n, 9_000n], // a day and a millisecond ago: out of the window
    [PAYOUTS, NOW - DAY_MS, 3_000_000n, 1_000n], // exactly a day ago: in it, as the gatekeeper counts
    [PAYOUTS, NOW - 60_000, 4_000_000n, 1_500n],
    [BAKER, NOW - 60_000, 1n, 1n],
  ]);
  const read: string[] = [];
  const counting: SpendingLedger = { name: 'counting', read: (pkh, since) => (read.push(pkh), ledger.read(pkh, since)), append: () => Promise.resolve(false) };
  let policy: Policy = { source: 'test', keys: { [PAYOUTS]: { limits: { maxAmount24h: 10_000_000n, maxFee24h: 5_000n } } } };
  const gauges = spendingGauges({ ledger: counting, keys: [BAKER, PAYOUTS], policy: () => policy, onFailure: () => undefined, now: () => NOW });
  expect(await gauges()).toEqual([
    { key: PAYOUTS, cap: 'max_amount_24h', spent: 7_000_000, limit: 10_000_000 },
    { key: PAYOUTS, cap: 'max_fee_24h', spent: 2_500, limit: 5_000 },
  ]);
  expect(read).toEqual([PAYOUTS]);

  // a reload: the default now caps every key's fees, the payout key keeps its own amount cap only
  policy = { source: 'test', default: { limits: { maxFee24h: 2_000n } }, keys: { [PAYOUTS]: { limits: { maxAmount24h: 10_000_000n } } } };
  expect(await gauges()).toEqual([
    { key: BAKER, cap: 'max_fee_24h', spent: 1, limit: 2_000 },
    { key: PAYOUTS, cap: 'max_amount_24h', spent: 7_000_000, limit: 10_000_000 },
    { key: PAYOUTS, cap: 'max_fee_24h', spent: 2_500, limit: 2_000 },
  ]);
});

test('a ledger that fails: undefined (the gauges keep their values), said once until it reads again', async () => {
  let down = true;
  const ledger = await ledgerWith([[BAKER, NOW, 5n, 0n]]);
  const failures: unknown[] = [];
  const flaky: SpendingLedger = { name: 'flaky', read: (pkh, since) => (down ? Promise.reject(new Error('table gone')) : ledger.read(pkh, since)), append: () => Promise.resolve(false) };
  const gauges = spendingGauges({ ledger: flaky, keys: [BAKER], policy: () => ({ source: 'test', default: { limits: { maxAmount24h: 10n } } }), onFailure: (err) => failures.push(err), now: () => NOW });
  expect(await gauges()).toBeUndefined();
  expect(await gauges()).toBeUndefined();
  expect(failures).toHaveLength(1);
  down = false;
  expect(await gauges()).toEqual([{ key: BAKER, cap: 'max_amount_24h', spent: 5, limit: 10 }]);
  down = true;
  expect(await gauges()).toBeUndefined();
  expect(failures).toHaveLength(2);
});
