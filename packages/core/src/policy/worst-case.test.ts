// What each operation kind counts against the amount caps, read from operations forged by an
// independent forger (Taquito local-forging) and decoded by ours.
import { LocalForger } from '@taquito/local-forging';
import { describe, expect, test } from 'vitest';
import { sized } from '../../../../test-support/octez-layout.js';
import { hexToBytes } from '../encoding/hex.js';
import type { OperationContent } from '../operation/content.js';
import { parseRequest } from '../request/parse.js';
import { evaluatePolicy } from './evaluation.js';
import { requestFacts, totals } from './facts.js';
import type { Policy } from './model.js';
import { worstCase } from './worst-case.js';

const forger = new LocalForger();
const BRANCH = 'BLockGenesisGenesisGenesisGenesisGenesisf79b5d1CoW2';
const SOURCE = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const KT1 = 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi';
const EDPK = 'edpkvGfYw3LyB1UcCahKQk4rF2tvbMUk8GFiTuMjL75uGXrpvKXhjn';
const manager = (storage: number) => ({ source: SOURCE, fee: '1000', counter: '7', gas_limit: '10000', storage_limit: String(storage) });

async function factsOf(content: Record<string, unknown>) {
  const hex = `03${await forger.forge({ branch: BRANCH, contents: [content as never] })}`;
  const facts = requestFacts(parseRequest(hexToBytes(hex), 'ed25519'));
  if (facts === undefined) throw new Error('not an operation');
  return facts;
}

// each expected figure is worked out by hand: amount + storage_limit × 250 mutez (+ paid storage)
const counted: Array<[string, Record<string, unknown>, bigint]> = [
  ['transaction', { kind: 'transaction', ...manager(300), amount: '5000000', destination: PAYEE }, 5_075_000n],
  ['origination', { kind: 'origination', ...manager(500), balance: '2000000', script: { code: [{ prim: 'parameter', args: [{ prim: 'unit' }] }, { prim: 'storage', args: [{ prim: 'unit' }] }, { prim: 'code', args: [[{ prim: 'CDR' }, { prim: 'NIL', args: [{ prim: 'operation' }] }, { prim: 'PAIR' }]] }], storage: { prim: 'Unit' } } }, 2_125_000n],
  ['delegation', { kind: 'delegation', ...manager(0), delegate: PAYEE }, 0n],
  ['reveal', { kind: 'reveal', ...manager(0), public_key: EDPK }, 0n],
  // under 64 bytes: octez encodes the size as a signed zarith, Taquito as an unsigned one; they agree there
  ['increase_paid_storage', { kind: 'increase_paid_storage', ...manager(0), amount: '40', destination: KT1 }, 10_000n],
  ['register_global_constant', { kind: 'register_global_constant', ...manager(100), value: { prim: 'Unit' } }, 25_000n],
  ['set_deposits_limit', { kind: 'set_deposits_limit', ...manager(0), limit: '99000000' }, 0n],
  ['smart_rollup_add_messages', { kind: 'smart_rollup_add_messages', ...manager(0), message: ['0000'] }, 0n],
  ['failing_noop', { kind: 'failing_noop', arbitrary: '68656c6c6f' }, 0n],
];

const unbounded: Array<[string, Record<string, unknown>]> = [
  ['drain_delegate', { kind: 'drain_delegate', consensus_key: PAYEE, delegate: SOURCE, destination: PAYEE }],
  ['update_consensus_key', { kind: 'update_consensus_key', ...manager(0), pk: EDPK }],
  [
    'transfer_ticket',
    { kind: 'transfer_ticket', ...manager(0), ticket_contents: { string: 'x' }, ticket_ty: { prim: 'string' }, ticket_ticketer: KT1, ticket_amount: '5', destination: KT1, entrypoint: 'default' },
  ],
];

describe('every kind counts what it can take at worst', () => {
  test.each(counted)('%s', async (_kind, content, expected) => {
    const facts = await factsOf(content);
    expect(totals(facts)).toEqual({ amount: expected, fee: content['fee'] === undefined ? 0n : 1000n });
    expect(facts.operations[0]?.unbounded).toBeUndefined();
  });

  test.each(unbounded)('%s has no bound, and any amount cap refuses it', async (_kind, content) => {
    const facts = await factsOf(content);
    expect(facts.operations[0]?.unbounded).toBeDefined();
    const allow = { operations: { '*': 'allow' as const } };
    expect(evaluatePolicy({ source: 'p', default: allow }, SOURCE, facts, { amount: 0n, fee: 0n }).verdict).toBe('allow');
    for (const [limits, rule] of [[{ maxAmount: 10n ** 15n }, 'max_amount'], [{ maxAmount24h: 10n ** 15n }, 'max_amount_24h']] as const) {
      const policy: Policy = { source: 'p', default: { ...allow, limits } };
      expect(evaluatePolicy(policy, SOURCE, facts, { amount: 0n, fee: 0n })).toMatchObject({ verdict: 'deny', rule: `default.limits.${rule}` });
    }
  });

  test('a smart-rollup commitment locks the 10,000 ꜩ bond; a kind nobody counted is unbounded', () => {
    const publish = { kind: 'smart_rollup_publish', source: SOURCE, fee: 1n, counter: 1n, gasLimit: 1n, storageLimit: 4n } as unknown as OperationContent;
    expect(worstCase(publish)).toEqual({ moved: 0n, burnt: 1_000n, locked: 10_000_000_000n });
    const negative = { kind: 'increase_paid_storage', source: SOURCE, fee: 1n, counter: 1n, gasLimit: 1n, storageLimit: 0n, amount: -1_000_000n, destination: KT1 };
    expect(worstCase(negative as OperationContent).burnt).toBe(0n);
    expect(worstCase({ kind: 'some_future_kind' } as unknown as OperationContent).unbounded).toBeDefined();
  });
});

// Kinds no independent forger makes, laid out as refutation.test.ts and zk-rollup.test.ts lay
// them out (octez operation_repr.ml and the encodings they cite): fee 1000 mutez, storage_limit 40.
describe('the kinds Taquito does not forge count their worst case too', () => {
  const head = `00${'11'.repeat(20)}e807000028`;
  const facts = (content: string) => {
    const found = requestFacts(parseRequest(hexToBytes(`03${'aa'.repeat(32)}${content}`), 'ed25519'));
    if (found === undefined) throw new Error('not an operation');
    return found;
  };

  test.each([
    // 40 × 250 mutez of storage and the 10,000 ꜩ bond a lost refutation game costs
    ['smart_rollup_refute', `cc${head}${'22'.repeat(20)}00${'55'.repeat(20)}00${'33'.repeat(64)}`, 10_000_010_000n],
    ['zk_rollup_origination', `fa${head}${sized('')}${sized('')}${sized('')}00000001`, 10_000n],
    ['zk_rollup_publish', `fb${head}${'77'.repeat(20)}${sized('')}`, 10_000n],
    ['zk_rollup_update', `fc${head}${'77'.repeat(20)}${sized('')}${sized('')}${sized('')}${sized('')}`, 10_000n],
  ])('%s', (_kind, content, expected) => {
    const found = facts(content);
    expect(totals(found)).toEqual({ amount: expected, fee: 1000n });
    expect(found.operations[0]?.unbounded).toBeUndefined();
  });

  test('dal_entrapment_evidence takes nothing', () => {
    const evidence = `18${sized(`${'aa'.repeat(32)}15`)}00050f00${'00000001'}${sized('')}${'bb'.repeat(48)}`;
    expect(totals(facts(evidence))).toEqual({ amount: 0n, fee: 0n });
  });
});
