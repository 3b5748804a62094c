import { expect, test } from 'vitest';
import { policyFromMagicBytes, signableMagicBytes } from './from-magic-bytes.js';
import { evaluatePolicy } from './evaluation.js';

const PKH = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const none = { amount: 0n, fee: 0n };

test('--magic-bytes is the simple form: the listed kinds allowed for every key, the others refused by it', () => {
  const policy = policyFromMagicBytes([0x03, 0x11]);
  expect(evaluatePolicy(policy, PKH, { kind: 'block', chainId: 'NetXdQprcVkpaWU', operations: [] }, none).verdict).toBe('allow');
  const attestation = evaluatePolicy(policy, PKH, { kind: 'attestation', chainId: 'NetXdQprcVkpaWU', operations: [] }, none);
  expect(attestation).toMatchObject({ verdict: 'deny', rule: 'default.attestation' });
  expect(policy.source).toBe('--magic-bytes');
  expect(evaluatePolicy(policy, PKH, { kind: 'operation', operations: [{ kind: 'ballot', amount: 0n, fee: 0n }] }, none).verdict).toBe('allow');
  expect(signableMagicBytes(policy)).toEqual([0x03, 0x11]);
});

test('the bytes some key may have signed: a key’s own rules count, the baker default fills the gaps', () => {
  expect(signableMagicBytes({ source: 't' })).toEqual([0x11, 0x12, 0x13]);
  expect(signableMagicBytes({ source: 't', default: { kinds: { block: 'deny' } }, keys: { [PKH]: { operations: { transaction: 'confirm' }, kinds: { michelson_data: 'allow' } } } })).toEqual([
    0x03, 0x05, 0x12, 0x13,
  ]);
});
