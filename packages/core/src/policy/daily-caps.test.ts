import { describe, expect, test } from 'vitest';
import type { Policy } from './model.js';
import { DAILY_CAPS, dailyCaps } from './daily-caps.js';
import { evaluatePolicy } from './evaluation.js';
import type { RequestFacts } from './facts.js';

const BAKER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const PAYOUTS = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';

const policy: Policy = {
  source: 'test',
  default: { operations: { '*': 'allow' }, limits: { maxAmount24h: 100_000_000n, maxFee24h: 50_000n, maxAmount: 10_000_000n } },
  keys: { [PAYOUTS]: { limits: { maxAmount24h: 900_000_000n } } },
};

describe('dailyCaps', () => {
  test("a key's own cap wins over the default's; what it leaves unset comes from the default", () => {
    expect(dailyCaps(policy, PAYOUTS)).toEqual({ max_amount_24h: 900_000_000n, max_fee_24h: 50_000n });
    expect(dailyCaps(policy, BAKER)).toEqual({ max_amount_24h: 100_000_000n, max_fee_24h: 50_000n });
  });

  test('no section setting a 24 h cap: none (per-operation caps are not daily ones)', () => {
    expect(dailyCaps({ source: 'test' }, BAKER)).toEqual({});
    expect(dailyCaps({ source: 'test', default: { limits: { maxAmount: 5n, maxFee: 5n } } }, BAKER)).toEqual({});
    expect(dailyCaps({ source: 'test', keys: { [PAYOUTS]: { limits: { maxFee24h: 7n } } } }, BAKER)).toEqual({});
  });

  // the caps reported are the ones the evaluator refuses at: spending one mutez more than
  // the cap, over the day, is past it; exactly the cap is not
  test.each([BAKER, PAYOUTS])('for %s, the evaluator refuses exactly past each cap reported', (pkh) => {
    const caps = dailyCaps(policy, pkh);
    expect(Object.keys(caps).sort()).toEqual([...DAILY_CAPS].sort());
    const transfer = (amount: bigint, fee: bigint): RequestFacts => ({ kind: 'operation', operations: [{ kind: 'transaction', amount, fee, destination: BAKER }] });
    const amountCap = caps.max_amount_24h ?? 0n;
    const feeCap = caps.max_fee_24h ?? 0n;
    expect(evaluatePolicy(policy, pkh, transfer(1n, 0n), { amount: amountCap - 1n, fee: 0n }).verdict).toBe('allow');
    expect(evaluatePolicy(policy, pkh, transfer(1n, 0n), { amount: amountCap, fee: 0n }).rule).toMatch(/\.limits\.max_amount_24h$/);
    expect(evaluatePolicy(policy, pkh, transfer(0n, 1n), { amount: 0n, fee: feeCap - 1n }).verdict).toBe('allow');
    expect(evaluatePolicy(policy, pkh, transfer(0n, 1n), { amount: 0n, fee: feeCap }).rule).toMatch(/\.limits\.max_fee_24h$/);
  });
});
