import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { account, hexOf, integer, manager, managerFields, managerHex, sized, sizedHex, smartRollup, u32 } from '../../../../test-support/octez-layout.js';
import { isTezsignerError } from '../errors.js';
import { decodeOperation } from './decoder.js';
import { isManagerContent, OPERATION_KIND_NAMES, OPERATION_KINDS } from './kinds.js';

// Kinds Taquito does not forge, laid out by hand from octez operation_repr.ml; the expected
// base58 texts come from Taquito's encoder, numbers from test-support's zarith writer.

const BRANCH_HEX = 'aa'.repeat(32);
const BRANCH = b58Encode(BRANCH_HEX, PrefixV2.BlockHash);
const decode = (contentHex: string) => decodeOperation(Buffer.from(`03${BRANCH_HEX}${contentHex}`, 'hex'));

describe('kinds Taquito does not forge, from hand-made bytes', () => {
  it('smart rollup cement, publish, timeout and recover_bond', () => {
    const publish = fc.record({ state: hexOf(32), level: fc.integer({ min: 0, max: 2 ** 31 - 1 }), predecessor: hexOf(32), ticks: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }) });
    fc.assert(
      fc.property(manager, smartRollup, publish, account, account, (m, sr, p, first, second) => {
        const head = managerHex(m);
        const bytes = [
          `ca${head}${sr.hex}`,
          `cb${head}${sr.hex}${p.state}${u32(p.level)}${p.predecessor}${p.ticks.toString(16).padStart(16, '0')}`,
          `cd${head}${sr.hex}${first.hex}${second.hex}`,
          `cf${head}${sr.hex}${first.hex}`,
        ].join('');
        const fields = managerFields(m);
        expect(decode(bytes)).toStrictEqual({
          branch: BRANCH,
          contents: [
            { kind: 'smart_rollup_cement', ...fields, rollup: sr.text },
            {
              kind: 'smart_rollup_publish',
              ...fields,
              rollup: sr.text,
              compressedState: b58Encode(p.state, PrefixV2.SmartRollupStateHash),
              inboxLevel: p.level,
              predecessor: b58Encode(p.predecessor, PrefixV2.SmartRollupCommitmentHash),
              numberOfTicks: p.ticks,
            },
            { kind: 'smart_rollup_timeout', ...fields, rollup: sr.text, firstStaker: first.text, secondStaker: second.text },
            { kind: 'smart_rollup_recover_bond', ...fields, rollup: sr.text, staker: first.text },
          ],
        });
      }),
      { numRuns: 200 },
    );
  });

  it('increase_paid_storage over the whole signed range octez encodes (Data_encoding.z)', () => {
    fc.assert(
      fc.property(manager, fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }), hexOf(20), (m, bytes, kt1) => {
        expect(decode(`71${managerHex(m)}${integer(bytes)}01${kt1}00`).contents).toStrictEqual([
          { kind: 'increase_paid_storage', ...managerFields(m), amount: bytes, destination: b58Encode(kt1, PrefixV2.ContractHash) },
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it('evidence and VDF revelations, each alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), sizedHex(), sizedHex(), hexOf(100), hexOf(100), (slot, first, second, result, proof) => {
        expect(decode(`02${slot.toString(16).padStart(4, '0')}${sized(first)}${sized(second)}`).contents).toStrictEqual([
          { kind: 'double_consensus_operation_evidence', slot, firstOperation: first, secondOperation: second },
        ]);
        expect(decode(`03${sized(first)}${sized(second)}`).contents).toStrictEqual([{ kind: 'double_baking_evidence', firstBlockHeader: first, secondBlockHeader: second }]);
        expect(decode(`08${result}${proof}`).contents).toStrictEqual([{ kind: 'vdf_revelation', solution: [result, proof] }]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('refusals name what they refuse', () => {
  const source = `00${'11'.repeat(20)}`;
  const header = `${source}00010000`;

  it('a negative number of ticks', () => {
    const negativeTicks = `cb${header}${'22'.repeat(20)}${'33'.repeat(32)}00000010${'44'.repeat(32)}8000000000000005`;
    expect(thrownMessage('BAD_REQUEST', () => decode(negativeTicks))).toMatch(/number of ticks at byte \d+ is negative/);
  });

  it('tz5 keys and addresses, whose base58 form this signer does not know', () => {
    expect(thrownMessage('BAD_REQUEST', () => decode(`6e${header}ff04${'11'.repeat(20)}`))).toMatch(/delegate at byte 60 has address tag 4 \(tz5\), which this signer cannot show/);
    expect(thrownMessage('BAD_REQUEST', () => decode(`6b${header}04${'11'.repeat(1312)}00`))).toMatch(/public key at byte 59 has key tag 4 \(tz5\)/);
  });

  it('operation tags of other protocols or none, by number and where they are', () => {
    // 0 was the pre-Tenderbake endorsement, 7 the double preattestation evidence, 150 a transaction-rollup origination
    for (const tag of [0, 7, 10, 150, 253, 255]) {
      expect(thrownMessage('BAD_REQUEST', () => decode(`${tag.toString(16).padStart(2, '0')}00`))).toMatch(new RegExp(`^request 0x03: unknown operation tag \\(tag ${tag} at byte 33\\)$`));
    }
  });

  it('consensus operations and aggregates, by name: they are never signed inside a generic operation', () => {
    const named: Array<[number, RegExp]> = [
      [20, /preattestation is signed with magic byte 0x12/],
      [21, /attestation is signed with magic byte 0x13/],
      [23, /attestation_with_dal is signed with magic byte 0x13/],
      [30, /preattestations_aggregate is never signed by a single baker/],
      [31, /attestations_aggregate is never signed by a single baker/],
      [40, /a tz4 preattestation is signed with magic byte 0x12/],
      [41, /a tz4 attestation is signed with magic byte 0x13/],
    ];
    for (const [tag, reason] of named) {
      const message = thrownMessage('BAD_REQUEST', () => decode(`${tag.toString(16).padStart(2, '0')}${'00'.repeat(40)}`));
      expect(message).toMatch(reason);
      expect(message).toContain(`(tag ${tag} at byte 33)`);
    }
  });

  it('a Michelson primitive no protocol this signer knows has defined', () => {
    // a transaction to KT1…00 with parameters: entrypoint default, value = primitive 0xff without arguments
    const call = `6c${header}00${'01'}${'22'.repeat(20)}00ff00${sized('03ff')}`;
    expect(thrownMessage('BAD_REQUEST', () => decode(call))).toMatch(/Micheline primitive 0xff at byte \d+ is unknown to this signer/);
  });

  it('bytes that are not a generic operation', () => {
    expect(thrownMessage('BAD_REQUEST', () => decodeOperation(Buffer.from(`11${BRANCH_HEX}`, 'hex')))).toMatch(/starts with magic byte 0x03, got 0x11/);
    expect(thrownMessage('BAD_REQUEST', () => decodeOperation(new Uint8Array()))).toMatch(/truncated: magic byte/);
  });

  it('random bytes after a branch: a BAD_REQUEST, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        try {
          decode(Buffer.from(garbage).toString('hex'));
        } catch (err) {
          expect(isTezsignerError(err, 'BAD_REQUEST')).toBe(true);
          expect((err as Error).message).toMatch(/^request 0x03: /);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('OPERATION_KIND_NAMES', () => {
  it('lists the octez name of every tag decoded, once each', () => {
    expect(OPERATION_KIND_NAMES).toEqual([
      'seed_nonce_revelation', 'double_consensus_operation_evidence', 'double_baking_evidence', 'activate_account', 'proposals', 'ballot', 'vdf_revelation',
      'drain_delegate', 'failing_noop', 'dal_entrapment_evidence', 'reveal', 'transaction', 'origination', 'delegation', 'register_global_constant', 'set_deposits_limit',
      'increase_paid_storage', 'update_consensus_key', 'update_companion_key', 'transfer_ticket', 'smart_rollup_originate', 'smart_rollup_add_messages',
      'smart_rollup_cement', 'smart_rollup_publish', 'smart_rollup_refute', 'smart_rollup_timeout', 'smart_rollup_execute_outbox_message',
      'smart_rollup_recover_bond', 'dal_publish_commitment', 'zk_rollup_origination', 'zk_rollup_publish', 'zk_rollup_update',
    ]);
  });
});

describe('isManagerContent', () => {
  it('holds for the kinds that carry fee, counter and limits, and no other', () => {
    const managers = [...OPERATION_KINDS.values()].filter((kind) => isManagerContent({ kind: kind.name } as never)).map((kind) => kind.name);
    expect(managers.sort()).toEqual(
      [
        'dal_publish_commitment', 'delegation', 'increase_paid_storage', 'origination', 'register_global_constant', 'reveal', 'set_deposits_limit',
        'smart_rollup_add_messages', 'smart_rollup_cement', 'smart_rollup_execute_outbox_message', 'smart_rollup_originate', 'smart_rollup_publish',
        'smart_rollup_recover_bond', 'smart_rollup_refute', 'smart_rollup_timeout', 'transaction', 'transfer_ticket', 'update_companion_key', 'update_consensus_key',
        'zk_rollup_origination', 'zk_rollup_publish', 'zk_rollup_update',
      ].sort(),
    );
  });
});
