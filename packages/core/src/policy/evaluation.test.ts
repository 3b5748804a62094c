import { describe, expect, test } from 'vitest';
import type { Policy } from './model.js';
import { evaluatePolicy } from './evaluation.js';
import type { OperationFacts, RequestFacts } from './facts.js';

const BAKER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const OTHER = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const KT1 = 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi';
const MAINNET = 'NetXdQprcVkpaWU';
const GHOSTNET = 'NetXnHfVqm9iesp';
const NONE = { amount: 0n, fee: 0n };

const attestation: RequestFacts = { kind: 'attestation', chainId: MAINNET, operations: [] };
const transfer = (amount: bigint, fee = 1_000n, extra: Partial<OperationFacts> = {}): RequestFacts => ({
  kind: 'operation',
  operations: [{ kind: 'transaction', amount, fee, destination: OTHER, ...extra }],
});
const delegation = (delegate: string): RequestFacts => ({ kind: 'operation', operations: [{ kind: 'delegation', amount: 0n, fee: 500n, delegate }] });

const verdictOf = (policy: Policy, facts: RequestFacts, spent = NONE, pkh = BAKER) => {
  const { verdict, rule } = evaluatePolicy(policy, pkh, facts, spent);
  return `${verdict} ${rule}`;
};

describe('kinds', () => {
  test('without rules a key is a baker: consensus allowed, the rest denied', () => {
    const empty: Policy = { source: 'test' };
    expect(verdictOf(empty, attestation)).toBe('allow baker_default.attestation');
    expect(verdictOf(empty, { kind: 'block', chainId: MAINNET, operations: [] })).toBe('allow baker_default.block');
    expect(verdictOf(empty, { kind: 'michelson_data', operations: [] })).toBe('deny baker_default.michelson_data');
    expect(verdictOf(empty, { kind: 'legacy_block', chainId: MAINNET, operations: [] })).toBe('deny baker_default.legacy_block');
    expect(verdictOf(empty, transfer(1n))).toBe('deny baker_default.operations');
  });

  test('a key’s own verdict wins over the default, which wins over the baker default', () => {
    const policy: Policy = {
      source: 'test',
      default: { kinds: { attestation: 'deny', michelson_data: 'confirm' } },
      keys: { [BAKER]: { kinds: { attestation: 'allow' } } },
    };
    expect(verdictOf(policy, attestation)).toBe(`allow keys.${BAKER}.attestation`);
    expect(verdictOf(policy, attestation, NONE, OTHER)).toBe('deny default.attestation');
    expect(verdictOf(policy, { kind: 'michelson_data', operations: [] })).toBe('confirm default.michelson_data');
    expect(verdictOf(policy, { kind: 'preattestation', chainId: MAINNET, operations: [] })).toBe('allow baker_default.preattestation');
  });

  test('operations are judged by kind, `*` for the others, and a batch by its strictest content', () => {
    const policy: Policy = { source: 'test', keys: { [BAKER]: { operations: { reveal: 'allow', transaction: 'confirm', '*': 'deny' } } } };
    expect(verdictOf(policy, transfer(5n))).toBe(`confirm keys.${BAKER}.operations.transaction`);
    expect(verdictOf(policy, { kind: 'operation', operations: [{ kind: 'reveal', amount: 0n, fee: 0n }] })).toBe(`allow keys.${BAKER}.operations.reveal`);
    const batch: RequestFacts = { kind: 'operation', operations: [{ kind: 'reveal', amount: 0n, fee: 0n }, ...transfer(5n).operations, ...delegation(OTHER).operations] };
    expect(verdictOf(policy, batch)).toBe(`deny keys.${BAKER}.operations.*`);
  });
});

describe('limits', () => {
  const limited = (limits: NonNullable<Policy['default']>['limits']): Policy => ({
    source: 'test',
    default: { operations: { '*': 'allow' }, limits },
  });

  test('max_amount: over it the allow becomes the `exceeded` verdict, deny unless said', () => {
    expect(verdictOf(limited({ maxAmount: 10_000_000n }), transfer(10_000_000n))).toBe('allow default.operations.*');
    expect(verdictOf(limited({ maxAmount: 10_000_000n }), transfer(10_000_001n))).toBe('deny default.limits.max_amount');
    expect(verdictOf(limited({ maxAmount: 10_000_000n, exceeded: 'confirm' }), transfer(10_000_001n))).toBe('confirm default.limits.max_amount');
  });

  test('max_amount adds up every content of one operation', () => {
    const batch: RequestFacts = { kind: 'operation', operations: [...transfer(6_000_000n).operations, ...transfer(6_000_000n).operations] };
    expect(verdictOf(limited({ maxAmount: 10_000_000n }), batch)).toBe('deny default.limits.max_amount');
  });

  test('max_fee', () => {
    expect(verdictOf(limited({ maxFee: 2_000n }), transfer(1n, 2_000n))).toBe('allow default.operations.*');
    expect(verdictOf(limited({ maxFee: 2_000n }), transfer(1n, 2_001n))).toBe('deny default.limits.max_fee');
  });

  test('max_amount_24h counts what the key already spent', () => {
    const policy = limited({ maxAmount24h: 100_000_000n });
    expect(verdictOf(policy, transfer(40_000_000n), { amount: 60_000_000n, fee: 0n })).toBe('allow default.operations.*');
    expect(verdictOf(policy, transfer(40_000_001n), { amount: 60_000_000n, fee: 0n })).toBe('deny default.limits.max_amount_24h');
  });

  test('max_fee_24h counts what the key already paid', () => {
    const policy = limited({ maxFee24h: 10_000n });
    expect(verdictOf(policy, transfer(1n, 1_000n), { amount: 0n, fee: 9_000n })).toBe('allow default.operations.*');
    expect(verdictOf(policy, transfer(1n, 1_001n), { amount: 0n, fee: 9_000n })).toBe('deny default.limits.max_fee_24h');
  });

  test('destinations: addresses, and a contract’s entrypoints', () => {
    const policy = limited({ destinations: [OTHER, `${KT1}%deposit`] });
    expect(verdictOf(policy, transfer(1n))).toBe('allow default.operations.*');
    expect(verdictOf(policy, transfer(1n, 1n, { destination: KT1, entrypoint: 'deposit' }))).toBe('allow default.operations.*');
    expect(verdictOf(policy, transfer(1n, 1n, { destination: KT1, entrypoint: 'withdraw' }))).toBe('deny default.limits.destinations');
    expect(verdictOf(policy, transfer(1n, 1n, { destination: KT1 }))).toBe('deny default.limits.destinations');
    expect(verdictOf(policy, transfer(1n, 1n, { destination: BAKER }))).toBe('deny default.limits.destinations');
    expect(verdictOf(limited({ destinations: [KT1] }), transfer(1n, 1n, { destination: KT1, entrypoint: 'anything' }))).toBe('allow default.operations.*');
  });

  test('delegates', () => {
    const policy = limited({ delegates: [OTHER] });
    expect(verdictOf(policy, delegation(OTHER))).toBe('allow default.operations.*');
    expect(verdictOf(policy, delegation(BAKER))).toBe('deny default.limits.delegates');
  });

  test('chain_ids', () => {
    const policy: Policy = { source: 'test', default: { limits: { chainIds: [MAINNET] } } };
    expect(verdictOf(policy, attestation)).toBe('allow baker_default.attestation');
    expect(verdictOf(policy, { ...attestation, chainId: GHOSTNET })).toBe('deny default.limits.chain_ids');
  });

  test('a key’s own limit replaces the default’s, and its other limits still apply', () => {
    const policy: Policy = {
      source: 'test',
      default: { operations: { '*': 'allow' }, limits: { maxAmount: 1_000_000n, maxFee: 1_000n } },
      keys: { [BAKER]: { limits: { maxAmount: 50_000_000n, exceeded: 'confirm' } } },
    };
    expect(verdictOf(policy, transfer(20_000_000n, 1_000n))).toBe('allow default.operations.*');
    expect(verdictOf(policy, transfer(60_000_000n, 1_000n))).toBe(`confirm keys.${BAKER}.limits.max_amount`);
    expect(verdictOf(policy, transfer(1n, 1_001n))).toBe('confirm default.limits.max_fee');
    expect(verdictOf(policy, transfer(20_000_000n), NONE, OTHER)).toBe('deny default.limits.max_amount');
  });

  test('a denied kind stays denied whatever the limits; a confirm past a deny-limit is denied', () => {
    const policy: Policy = { source: 'test', default: { operations: { transaction: 'confirm' }, limits: { maxAmount: 5n } } };
    expect(verdictOf(policy, transfer(1n))).toBe('confirm default.operations.transaction');
    expect(verdictOf(policy, transfer(6n))).toBe('deny default.limits.max_amount');
    expect(verdictOf(policy, delegation(OTHER))).toBe('deny baker_default.operations');
  });
});
