import { describe, expect, test } from 'vitest';
import { forgeTransfer } from '../../../../test-support/operations.js';
import { isTezsignerError, TezsignerError } from '../errors.js';
import { blake2b256 } from '../crypto/blake2b.js';
import { hexToBytes } from '../encoding/hex.js';
import { MemoryAuditLog } from '../memory/audit-log.js';
import { MemorySpendingLedger } from '../memory/spending-ledger.js';
import type { Policy } from './model.js';
import { DAY_MS, PolicyGatekeeper } from './gatekeeper.js';
import type { ConfirmationAnswer, Confirmations, HeldRequest } from '../ports/confirmations.js';
import { parseRequest } from '../request/parse.js';

/** Confirmations answered by the test: each held request waits until `answer` is called. */
class HeldForTest implements Confirmations {
  readonly held: { request: HeldRequest; answer: (answer: ConfirmationAnswer) => void }[] = [];
  hold(request: HeldRequest): Promise<ConfirmationAnswer> {
    return new Promise((answer) => this.held.push({ request, answer }));
  }
}

const BAKER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const T0 = Date.UTC(2026, 0, 1);
const ATTESTATION = hexToBytes(`13${'7a06a770'}${'00'.repeat(32)}15${'0000'}${'00112233'}${'00000000'}${'00'.repeat(32)}`);

const gateRequest = (bytes: Uint8Array) => ({ pkh: BAKER, request: parseRequest(bytes, 'ed25519'), bytes, digest: blake2b256(bytes) });
const transfer = async (mutez: bigint, counter = 1) => gateRequest(hexToBytes(await forgeTransfer({ source: BAKER, destination: PAYEE, amount: mutez, counter })));

const refusal = async (admitted: Promise<void>): Promise<string> => {
  try {
    await admitted;
  } catch (err) {
    if (isTezsignerError(err, 'POLICY_DENIED')) return err.message;
    throw err;
  }
  throw new Error('expected POLICY_DENIED');
};

function gatekeeper(policy: Omit<Policy, 'source'>, options: { now?: () => number } = {}) {
  const audit = new MemoryAuditLog();
  const ledger = new MemorySpendingLedger();
  const now = options.now ?? (() => T0);
  const confirmations = new HeldForTest();
  const gate = new PolicyGatekeeper({ policy: { source: 'policy.yaml', ...policy }, audit, ledger, confirmations, now });
  return { gate, audit, ledger, confirmations, decisions: () => audit.records.map((r) => `${r.decision} ${r.by} ${r.rule ?? ''}`) };
}

/** Resolves once `confirmations` holds `count` requests. */
async function held(confirmations: HeldForTest, count: number) {
  while (confirmations.held.length < count) await new Promise((resolve) => setTimeout(resolve, 1));
  return confirmations.held;
}

test('an allowed request is audited with its key, kind, chain, hash and summary before admit returns', async () => {
  const { gate, audit } = gatekeeper({});
  const request = gateRequest(ATTESTATION);
  await gate.admit(request);
  expect(audit.records).toEqual([
    {
      time: new Date(T0).toISOString(),
      key: BAKER,
      kind: 'attestation',
      chain: 'NetXdQprcVkpaWU',
      hash: Buffer.from(request.digest).toString('hex'),
      summary: 'attestation at level 1122867 round 0 on NetXdQprcVkpaWU',
      decision: 'allowed',
      rule: 'baker_default.attestation',
      by: 'policy',
      reason: 'attestation requests (0x13): allow',
    },
  ]);
});

test('a denied request is refused naming the rule and the file, and audited', async () => {
  const { gate, decisions } = gatekeeper({});
  expect(await refusal(gate.admit(await transfer(1n)))).toMatch(/^refused by policy rule baker_default\.operations \(policy\.yaml\): transaction operations \(0x03\) are not signed/);
  expect(decisions()).toEqual(['denied policy baker_default.operations']);
});

describe('confirmation', () => {
  const confirmTransfers = { default: { operations: { transaction: 'confirm' as const } } };

  test('a held request shows its summary and waits; approved, it passes, audited as held then approved', async () => {
    const { gate, confirmations, decisions, audit } = gatekeeper(confirmTransfers);
    const admitted = gate.admit(await transfer(12_500_000n));
    const [pending] = await held(confirmations, 1);
    expect(pending?.request.summary).toContain(`transaction of 12.5 ꜩ from ${BAKER} to ${PAYEE}`);
    expect(pending?.request).toMatchObject({ key: BAKER, kind: 'operation', rule: 'default.operations.transaction' });
    pending?.answer({ outcome: 'approved', by: 'alice' });
    await admitted;
    expect(decisions()).toEqual(['held policy default.operations.transaction', 'approved alice default.operations.transaction']);
    expect(audit.records[1]?.summary).toBe(pending?.request.summary);
  });

  test('rejected by the operator: refused, and the refusal says who', async () => {
    const { gate, confirmations, decisions } = gatekeeper(confirmTransfers);
    const admitted = refusal(gate.admit(await transfer(1n)));
    const [pending] = await held(confirmations, 1);
    pending?.answer({ outcome: 'rejected', by: 'bob' });
    expect(await admitted).toContain('rejected by bob');
    expect(decisions()).toEqual(['held policy default.operations.transaction', 'rejected bob default.operations.transaction']);
  });

  test('nobody answers in time: refused as timed out', async () => {
    const { gate, confirmations, decisions } = gatekeeper(confirmTransfers);
    const admitted = refusal(gate.admit(await transfer(1n)));
    const [pending] = await held(confirmations, 1);
    pending?.answer({ outcome: 'timed_out', by: 'timeout' });
    expect(await admitted).toContain('nobody answered in time');
    expect(decisions()).toEqual(['held policy default.operations.transaction', 'timed_out timeout default.operations.transaction']);
  });

  test('the person is handed the bytes that would be signed, whole, with their hash and key', async () => {
    const { gate, confirmations } = gatekeeper(confirmTransfers);
    const request = await transfer(12_500_000n);
    const admitted = refusal(gate.admit(request));
    const [pending] = await held(confirmations, 1);
    expect(Buffer.from(pending?.request.bytes ?? []).toString('hex')).toBe(Buffer.from(request.bytes).toString('hex'));
    expect(pending?.request.hash).toBe(Buffer.from(blake2b256(request.bytes)).toString('hex'));
    expect(pending?.request.key).toBe(BAKER);
    pending?.answer({ outcome: 'rejected', by: 'bob' });
    await admitted;
  });

  test('its client gone, a held request is refused and audited as abandoned', async () => {
    const { gate, confirmations, decisions } = gatekeeper(confirmTransfers);
    const admitted = refusal(gate.admit(await transfer(1n)));
    const [pending] = await held(confirmations, 1);
    pending?.answer({ outcome: 'abandoned', by: 'client' });
    expect(await admitted).toContain('its client disconnected');
    expect(decisions()).toEqual(['held policy default.operations.transaction', 'abandoned client default.operations.transaction']);
  });

  test('too many held already: refused with OVERLOADED, and audited', async () => {
    const audit = new MemoryAuditLog();
    const full: Confirmations = {
      hold: () => {
        throw new TezsignerError('OVERLOADED', '8 requests already wait');
      },
    };
    const gate = new PolicyGatekeeper({ policy: { source: 'p', ...confirmTransfers }, audit, confirmations: full, now: () => T0 });
    await expect(gate.admit(await transfer(1n))).rejects.toMatchObject({ code: 'OVERLOADED' });
    expect(audit.records.map((r) => `${r.decision} ${r.reason ?? ''}`)).toEqual([
      'held transaction operations (0x03): confirm',
      'denied transaction operations (0x03): confirm; not held: 8 requests already wait',
    ]);
  });

  test('without anyone to confirm (tezsigner sign), a confirm is refused', async () => {
    const audit = new MemoryAuditLog();
    const gate = new PolicyGatekeeper({ policy: { source: 'p', ...confirmTransfers }, audit, now: () => T0 });
    expect(await refusal(gate.admit(await transfer(1n)))).toContain('nobody can confirm here');
    expect(audit.records.map((r) => r.decision)).toEqual(['denied']);
  });

  test('an approved request is judged again: what was spent while it waited can refuse it', async () => {
    const policy: Omit<Policy, 'source'> = { default: { operations: { transaction: 'confirm' }, limits: { maxAmount24h: 10_000_000n } } };
    const { gate, confirmations, decisions } = gatekeeper(policy);
    const first = gate.admit(await transfer(6_000_000n, 1));
    const second = refusal(gate.admit(await transfer(6_000_000n, 2)));
    const [one, two] = await held(confirmations, 2);
    one?.answer({ outcome: 'approved', by: 'alice' });
    await first;
    two?.answer({ outcome: 'approved', by: 'alice' });
    expect(await second).toContain('default.limits.max_amount_24h');
    expect(decisions()).toEqual([
      'held policy default.operations.transaction',
      'held policy default.operations.transaction',
      'approved alice default.operations.transaction',
      'denied policy, after alice approved default.limits.max_amount_24h',
    ]);
  });
});

describe('24 h caps', () => {
  const capped: Omit<Policy, 'source'> = { default: { operations: { transaction: 'allow' }, limits: { maxAmount24h: 10_000_000n } } };

  test('spending is recorded and counted for a day, then forgotten', async () => {
    let now = T0;
    const { gate, ledger } = gatekeeper(capped, { now: () => now });
    await gate.admit(await transfer(6_000_000n));
    // 6 ꜩ sent and the 257 bytes of storage_limit at 250 mutez
    expect(await ledger.read(BAKER, 0)).toEqual({ spent: { amount: 6_064_250n, fee: 1_400n }, next: 1 });
    expect(await refusal(gate.admit(await transfer(5_000_000n, 2)))).toContain('default.limits.max_amount_24h');
    now = T0 + DAY_MS + 1;
    await gate.admit(await transfer(5_000_000n, 3));
  });

  test('two signers sharing one ledger (two processes, two instances) keep one cap: the append that lost the race is judged again', async () => {
    const ledger = new MemorySpendingLedger();
    const policy = { source: 'policy.yaml', ...capped };
    const gates = [1, 2].map(() => new PolicyGatekeeper({ policy, audit: new MemoryAuditLog(), ledger, now: () => T0 }));
    const requests = await Promise.all(Array.from({ length: 6 }, (_, n) => transfer(3_000_000n, n + 1)));
    const results = await Promise.allSettled(requests.map((request, n) => gates[n % 2]?.admit(request)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await ledger.read(BAKER, 0)).spent.amount).toBe(3n * 3_064_250n);
  });

  test('two requests racing for the last of a cap: exactly one passes', async () => {
    const { gate } = gatekeeper(capped);
    const results = await Promise.allSettled([gate.admit(await transfer(6_000_000n, 1)), gate.admit(await transfer(6_000_000n, 2))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});
