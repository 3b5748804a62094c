import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../../../test-support/vectors.js';
import { hexToBytes } from '../encoding/hex.js';
import type { ManagerFields, OperationContent } from './content.js';
import { decodeOperation } from './decoder.js';
import { summarizeContent, summarizeOperation } from './summary.js';

const ALICE = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const BOB = 'tz2DtvH6jg13TApHcht51HzPo1BvfGG247bP';
const KT1 = 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi';
const SR1 = 'sr163Lv22CdE8QagCwf48PWDTquk6isQwv57';
const PROTO = 'PtParisBxoLz5gzMmn3d9WBQNoPSZakgnkMC2VNuQ3KXfUtUQeZ';
const fields: ManagerFields = { source: ALICE, fee: 1400n, counter: 7n, gasLimit: 10600n, storageLimit: 0n };
const unit = { expression: { prim: 'Unit' }, size: 2 };

describe('summarizeContent', () => {
  it.each<[OperationContent, string]>([
    [{ kind: 'transaction', ...fields, amount: 12_500_000n, destination: BOB, entrypoint: 'default' }, `transaction of 12.5 ꜩ from ${ALICE} to ${BOB}, fee 0.0014 ꜩ`],
    [
      { kind: 'transaction', ...fields, storageLimit: 300n, amount: 0n, destination: KT1, entrypoint: 'deposit', parameters: { expression: { prim: 'Pair', args: [{ string: BOB }, { int: '12' }] }, size: 44 } },
      `transaction of 0 ꜩ from ${ALICE} to ${KT1}%deposit, parameter Pair "${BOB}" 12, fee 0.0014 ꜩ, storage limit 300`,
    ],
    [{ kind: 'transaction', ...fields, amount: 6_000_000_000n, destination: ALICE, entrypoint: 'stake', parameters: unit }, `stake of 6000 ꜩ by ${ALICE}, parameter Unit, fee 0.0014 ꜩ`],
    // a stake call to someone else is no staking of one's own: said as the transaction it is
    [{ kind: 'transaction', ...fields, amount: 1n, destination: KT1, entrypoint: 'stake', parameters: unit }, `transaction of 0.000001 ꜩ from ${ALICE} to ${KT1}%stake, parameter Unit, fee 0.0014 ꜩ`],
    [{ kind: 'transaction', ...fields, amount: 0n, destination: KT1, entrypoint: 'a\x1b[2J', parameters: unit }, `transaction of 0 ꜩ from ${ALICE} to ${KT1}%a\\x1b[2J, parameter Unit, fee 0.0014 ꜩ`],
    [{ kind: 'reveal', ...fields, publicKey: 'edpkuvta5ZCM2SjyUNVSE1GFPDsGxyqrWkdUUkhBd8ZTRTmS8mWPcz' }, `reveal of public key edpkuvta5ZCM2SjyUNVSE1GFPDsGxyqrWkdUUkhBd8ZTRTmS8mWPcz for ${ALICE}, fee 0.0014 ꜩ`],
    [{ kind: 'update_consensus_key', ...fields, publicKey: 'BLpkX', proof: 'BLsigY' }, `update_consensus_key to BLpkX for ${ALICE} with a proof of possession, fee 0.0014 ꜩ`],
    [{ kind: 'update_companion_key', ...fields, publicKey: 'BLpkX' }, `update_companion_key to BLpkX for ${ALICE}, fee 0.0014 ꜩ`],
    [{ kind: 'delegation', ...fields, delegate: BOB }, `delegation of ${ALICE} to ${BOB}, fee 0.0014 ꜩ`],
    [{ kind: 'delegation', ...fields, delegate: ALICE }, `delegation of ${ALICE} to itself (registers it as a delegate), fee 0.0014 ꜩ`],
    [{ kind: 'delegation', ...fields }, `delegation withdrawal by ${ALICE}, fee 0.0014 ꜩ`],
    [
      { kind: 'origination', ...fields, balance: 5_000_000n, delegate: BOB, code: { expression: [], size: 5 }, storage: { expression: { int: '0' }, size: 2 } },
      `origination of a contract with 5 ꜩ from ${ALICE}, delegate ${BOB}, code {}, storage 0, fee 0.0014 ꜩ`,
    ],
    [{ kind: 'register_global_constant', ...fields, value: { expression: { int: '42' }, size: 2 } }, `register_global_constant by ${ALICE} of 42, fee 0.0014 ꜩ`],
    [{ kind: 'set_deposits_limit', ...fields, limit: 1_000_000_000n }, `set_deposits_limit of ${ALICE} to 1000 ꜩ, fee 0.0014 ꜩ`],
    [{ kind: 'set_deposits_limit', ...fields }, `set_deposits_limit of ${ALICE} removed, fee 0.0014 ꜩ`],
    [{ kind: 'increase_paid_storage', ...fields, amount: 100n, destination: KT1 }, `increase_paid_storage of ${KT1} by 100 bytes, paid by ${ALICE}, fee 0.0014 ꜩ`],
    [
      {
        kind: 'transfer_ticket',
        ...fields,
        ticketContents: { expression: { string: 'a' }, size: 6 },
        ticketType: { expression: { prim: 'string' }, size: 2 },
        ticketer: KT1,
        ticketAmount: 5n,
        destination: BOB,
        entrypoint: 'default',
      },
      `transfer_ticket of 5 tickets "a" of type string by ticketer ${KT1} from ${ALICE} to ${BOB}, fee 0.0014 ꜩ`,
    ],
    [
      { kind: 'smart_rollup_originate', ...fields, pvmKind: 'wasm_2_0_0', kernel: 'ab'.repeat(1500), parametersType: { expression: { prim: 'bytes' }, size: 2 }, whitelist: [BOB] },
      `smart_rollup_originate by ${ALICE} of a wasm_2_0_0 rollup, kernel 1.5 KB, parameters type bytes, whitelist ${BOB}, fee 0.0014 ꜩ`,
    ],
    [{ kind: 'smart_rollup_add_messages', ...fields, messages: ['00', 'abcd'] }, `smart_rollup_add_messages by ${ALICE} of 2 messages (3 bytes), fee 0.0014 ꜩ`],
    [{ kind: 'smart_rollup_cement', ...fields, rollup: SR1 }, `smart_rollup_cement of ${SR1} by ${ALICE}, fee 0.0014 ꜩ`],
    [
      { kind: 'smart_rollup_publish', ...fields, rollup: SR1, compressedState: 'srs1X', inboxLevel: 16, predecessor: 'src1Y', numberOfTicks: 5n },
      `smart_rollup_publish by ${ALICE} to ${SR1} of a commitment at inbox level 16 (state srs1X, 5 ticks, predecessor src1Y), fee 0.0014 ꜩ`,
    ],
    [{ kind: 'smart_rollup_timeout', ...fields, rollup: SR1, firstStaker: BOB, secondStaker: ALICE }, `smart_rollup_timeout by ${ALICE} on ${SR1} between ${BOB} and ${ALICE}, fee 0.0014 ꜩ`],
    [
      { kind: 'smart_rollup_execute_outbox_message', ...fields, rollup: SR1, cementedCommitment: 'src1Y', outputProof: '00ff' },
      `smart_rollup_execute_outbox_message by ${ALICE} on ${SR1} (commitment src1Y, proof 2 bytes), fee 0.0014 ꜩ`,
    ],
    [{ kind: 'smart_rollup_recover_bond', ...fields, rollup: SR1, staker: BOB }, `smart_rollup_recover_bond by ${ALICE} on ${SR1} for ${BOB}, fee 0.0014 ꜩ`],
    [{ kind: 'dal_publish_commitment', ...fields, slotIndex: 3, commitment: 'sh1Z', commitmentProof: '00' }, `dal_publish_commitment by ${ALICE} of slot 3 (sh1Z), fee 0.0014 ꜩ`],
    [{ kind: 'seed_nonce_revelation', level: 1200, nonce: '00'.repeat(32) }, 'seed_nonce_revelation for level 1200'],
    [{ kind: 'vdf_revelation', solution: ['00', '11'] }, 'vdf_revelation of a VDF solution'],
    [{ kind: 'double_consensus_operation_evidence', slot: 4, firstOperation: '00'.repeat(140), secondOperation: '11'.repeat(140) }, 'double_consensus_operation_evidence for slot 4 (operations of 140 bytes and 140 bytes)'],
    [{ kind: 'double_baking_evidence', firstBlockHeader: '00', secondBlockHeader: '11' }, 'double_baking_evidence (block headers of 1 byte and 1 byte)'],
    [
      { kind: 'dal_entrapment_evidence', attestation: '00'.repeat(144), consensusSlot: 5, slotIndex: 15, lagIndex: 0, shard: { index: 403, share: '11'.repeat(64), proof: 'sh1Z' } },
      'dal_entrapment_evidence for consensus slot 5, DAL slot 15, lag index 0 (attestation of 144 bytes, trap shard 403 of 2 scalars)',
    ],
    [
      { kind: 'dal_entrapment_evidence', attestation: '00', consensusSlot: 0, slotIndex: 1, shard: { index: 2, share: '', proof: 'sh1Z' } },
      'dal_entrapment_evidence for consensus slot 0, DAL slot 1 (attestation of 1 byte, trap shard 2 of 0 scalars)',
    ],
    [{ kind: 'activate_account', pkh: ALICE, secret: '00'.repeat(20) }, `activate_account of ${ALICE}`],
    [{ kind: 'proposals', source: ALICE, period: 3, proposals: [PROTO, PROTO] }, `proposals by ${ALICE} in period 3: ${PROTO}, ${PROTO}`],
    [{ kind: 'ballot', source: ALICE, period: 3, proposal: PROTO, ballot: 'nay' }, `ballot nay by ${ALICE} on ${PROTO} in period 3`],
    [{ kind: 'drain_delegate', consensusKey: BOB, delegate: ALICE, destination: BOB }, `drain_delegate of ${ALICE} (consensus key ${BOB}) to ${BOB}: the delegate's whole spendable balance`],
    [{ kind: 'failing_noop', arbitrary: Buffer.from('Tezos Signed Message: hi "you"').toString('hex') }, 'failing_noop (can never be included on chain) of "Tezos Signed Message: hi \\"you\\""'],
    [{ kind: 'failing_noop', arbitrary: '00ff1b' }, 'failing_noop (can never be included on chain) of 0x00ff1b'],
  ])('%#: %s', (content, summary) => {
    expect(summarizeContent(content)).toBe(summary);
  });

  it('cuts a long off-chain message, saying how long it was', () => {
    const summary = summarizeContent({ kind: 'failing_noop', arbitrary: '61'.repeat(5000) });
    expect(summary).toBe(`failing_noop (can never be included on chain) of "${'a'.repeat(199)}… (5.0 KB)`);
  });
});

describe('summarizeOperation', () => {
  const vectors = loadVectors<{ operations: { name: string; bytes_hex: string }[] }>('operations').operations;
  const decoded = (name: string) => decodeOperation(hexToBytes(vectors.find((v) => v.name === name)?.bytes_hex ?? ''));

  it('says what a lone operation does, from its bytes', () => {
    expect(summarizeOperation(decoded('transaction'))).toBe(`transaction of 1 ꜩ from ${ALICE} to ${BOB}, fee 0.00142 ꜩ, storage limit 300`);
    expect(summarizeOperation(decoded('stake'))).toBe(`stake of 6000 ꜩ by ${ALICE}, parameter Unit, fee 0.001 ꜩ`);
  });

  it('says what the dal_entrapment_evidence of octez encoding samples denounces', () => {
    const octez = loadVectors<{ operations: { name: string; bytes_hex: string }[] }>('octez-operations').operations;
    const evidence = octez.find((v) => v.name === 'operation.unsigned-dal-entrapment-evidence');
    // the sample's JSON: consensus_slot 5, slot_index 15, lag_index 0, shard 403 of 64 scalars; its attestation 0x90 bytes
    expect(summarizeOperation(decodeOperation(hexToBytes(evidence?.bytes_hex ?? '')))).toBe(
      'dal_entrapment_evidence for consensus slot 5, DAL slot 15, lag index 0 (attestation of 144 bytes, trap shard 403 of 64 scalars)',
    );
  });

  it('numbers the contents of a batch in order', () => {
    expect(summarizeOperation(decoded('reveal_and_transaction'))).toBe(
      `batch of 2 operations: (1) reveal of public key edpkuvta5ZCM2SjyUNVSE1GFPDsGxyqrWkdUUkhBd8ZTRTmS8mWPcz for ${ALICE}, fee 0.000374 ꜩ; ` +
        `(2) transaction of 0.000001 ꜩ from ${ALICE} to ${BOB}, fee 0.00142 ꜩ, storage limit 300`,
    );
  });
});
