import { expect, test } from 'vitest';
import type { Policy } from './model.js';
import { unboundedFees } from './fee-bounds.js';

const KEY = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const policy = (rules: Omit<Policy, 'source'>): Policy => ({ source: 'policy.yaml', ...rules });

test('an amount cap without its fee cap is named with the section, per operation and over 24 h', () => {
  expect(unboundedFees(policy({ keys: { [KEY]: { limits: { maxAmount: 1n } } } }))).toMatchObject({ section: `keys.${KEY}`, missing: 'max_fee' });
  expect(unboundedFees(policy({ default: { limits: { maxAmount24h: 1n, maxFee: 1n } } }))).toMatchObject({ section: 'default', missing: 'max_fee_24h' });
  // a key's amount cap under the default's fee caps is bounded; the default's amount cap under a key's fee cap is not, for the other keys
  expect(unboundedFees(policy({ default: { limits: { maxFee: 1n, maxFee24h: 5n } }, keys: { [KEY]: { limits: { maxAmount: 1n, maxAmount24h: 2n } } } }))).toBeUndefined();
  expect(unboundedFees(policy({ default: { limits: { maxAmount: 1n } }, keys: { [KEY]: { limits: { maxFee: 1n } } } }))).toMatchObject({ section: 'default', missing: 'max_fee' });
});

test('fee caps alone, or no caps at all, need nothing more', () => {
  expect(unboundedFees(policy({}))).toBeUndefined();
  expect(unboundedFees(policy({ default: { limits: { maxFee: 1n, destinations: [KEY] } } }))).toBeUndefined();
  expect(unboundedFees(policy({ keys: { [KEY]: { limits: { maxAmount: 1n, maxFee: 2n, maxAmount24h: 3n, maxFee24h: 4n } } } }))).toBeUndefined();
});
