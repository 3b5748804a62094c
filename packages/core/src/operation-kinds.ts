// The operation contents a generic (0x03) request may hold, by binary tag, as octez
// `operation_repr.ml` (protocol alpha) defines them. Each entry reads the body after the tag.
import {
  HASH_LENGTH,
  readContract,
  readImplicitAddress,
  readLazyExpression,
  readManagerHeader,
  readOptionalBlsProof,
  readOptionalImplicitAddress,
  readOriginatedContract,
  readPublicKey,
  readSimpleEntrypoint,
  readSizedList,
  readSmartEntrypoint,
  readTez,
} from './operation-fields.js';
import type { RequestReader } from './request-reader.js';

export interface OperationKind {
  readonly name: string;
  /** manager operations (fee, counter, limits) are the only ones that may be batched */
  readonly manager: boolean;
  /** reads the body; returns the entrypoint a transaction calls, if any */
  readonly read: (reader: RequestReader) => string | undefined;
}

const HASH32 = 32;
const NONCE_LENGTH = 32;
const DAL_COMMITMENT_LENGTH = 48;
const DAL_COMMITMENT_PROOF_LENGTH = 96;
const MAX_PROPOSALS = 20;
const BALLOTS = 3; // yay, nay, pass
const PVM_KINDS = 3; // arith, wasm_2_0_0, riscv

const manager = (name: string, body: (reader: RequestReader) => string | void): OperationKind => ({
  name,
  manager: true,
  read: (reader) => {
    readManagerHeader(reader);
    return body(reader) ?? undefined;
  },
});

const other = (name: string, body: (reader: RequestReader) => void): OperationKind => ({
  name,
  manager: false,
  read: (reader) => {
    body(reader);
    return undefined;
  },
});

function readSmartRollupAddress(reader: RequestReader): void {
  reader.skip(HASH_LENGTH, 'smart rollup address');
}

function readEnumerated(reader: RequestReader, what: string, count: number): void {
  const at = reader.offset;
  const value = reader.u8(what);
  if (value >= count) reader.fail(`${what} at byte ${at} is ${value}, not one of 0..${count - 1}`);
}

export const OPERATION_KINDS: ReadonlyMap<number, OperationKind> = new Map<number, OperationKind>([
  [1, other('seed_nonce_revelation', (r) => {
    r.nonNegativeI32('level');
    r.skip(NONCE_LENGTH, 'nonce');
  })],
  [2, other('double_consensus_operation_evidence', (r) => {
    r.u16('slot');
    r.sized('first operation');
    r.sized('second operation');
  })],
  [3, other('double_baking_evidence', (r) => {
    r.sized('first block header');
    r.sized('second block header');
  })],
  [4, other('activate_account', (r) => {
    r.skip(HASH_LENGTH, 'tz1 hash');
    r.skip(HASH_LENGTH, 'activation secret');
  })],
  [5, other('proposals', (r) => {
    readImplicitAddress(r, 'source');
    r.i32('period');
    const at = r.offset;
    const count = readSizedList(r, 'proposals', (items) => items.skip(HASH32, 'protocol hash'));
    if (count > MAX_PROPOSALS) r.fail(`proposals at byte ${at} lists ${count} protocols, at most ${MAX_PROPOSALS} allowed`);
  })],
  [6, other('ballot', (r) => {
    readImplicitAddress(r, 'source');
    r.i32('period');
    r.skip(HASH32, 'protocol hash');
    readEnumerated(r, 'ballot', BALLOTS);
  })],
  [9, other('drain_delegate', (r) => {
    readImplicitAddress(r, 'consensus key');
    readImplicitAddress(r, 'delegate');
    readImplicitAddress(r, 'destination');
  })],
  [17, other('failing_noop', (r) => {
    r.sized('arbitrary bytes');
  })],
  [107, manager('reveal', (r) => {
    readPublicKey(r, 'public key');
    readOptionalBlsProof(r, 'proof of possession');
  })],
  [108, manager('transaction', (r) => {
    readTez(r, 'amount');
    readContract(r, 'destination');
    if (!r.presence('parameters')) return 'default';
    const entrypoint = readSmartEntrypoint(r);
    readLazyExpression(r, 'parameters');
    return entrypoint;
  })],
  [109, manager('origination', (r) => {
    readTez(r, 'balance');
    readOptionalImplicitAddress(r, 'delegate');
    readLazyExpression(r, 'code');
    readLazyExpression(r, 'storage');
  })],
  [110, manager('delegation', (r) => {
    readOptionalImplicitAddress(r, 'delegate');
  })],
  [111, manager('register_global_constant', (r) => {
    readLazyExpression(r, 'value');
  })],
  [112, manager('set_deposits_limit', (r) => {
    if (r.presence('limit')) readTez(r, 'limit');
  })],
  [113, manager('increase_paid_storage', (r) => {
    r.integer('amount');
    readOriginatedContract(r, 'destination');
  })],
  [114, manager('update_consensus_key', (r) => {
    readPublicKey(r, 'public key');
    readOptionalBlsProof(r, 'proof of possession');
  })],
  [115, manager('update_companion_key', (r) => {
    readPublicKey(r, 'public key');
    readOptionalBlsProof(r, 'proof of possession');
  })],
  [158, manager('transfer_ticket', (r) => {
    readLazyExpression(r, 'ticket contents');
    readLazyExpression(r, 'ticket type');
    readContract(r, 'ticketer');
    r.natural('ticket amount');
    readContract(r, 'destination');
    return readSimpleEntrypoint(r);
  })],
  [200, manager('smart_rollup_originate', (r) => {
    readEnumerated(r, 'PVM kind', PVM_KINDS);
    r.sized('kernel');
    readLazyExpression(r, 'parameters type');
    if (r.presence('whitelist')) readSizedList(r, 'whitelist', (items) => readImplicitAddress(items, 'whitelisted address'));
  })],
  [201, manager('smart_rollup_add_messages', (r) => {
    readSizedList(r, 'messages', (items) => items.sized('message'));
  })],
  [202, manager('smart_rollup_cement', readSmartRollupAddress)],
  [203, manager('smart_rollup_publish', (r) => {
    readSmartRollupAddress(r);
    r.skip(HASH32, 'compressed state');
    r.nonNegativeI32('inbox level');
    r.skip(HASH32, 'predecessor commitment');
    const at = r.offset;
    if (r.u8('number of ticks') >= 0x80) r.fail(`number of ticks at byte ${at} is negative`);
    r.skip(7, 'number of ticks');
  })],
  [205, manager('smart_rollup_timeout', (r) => {
    readSmartRollupAddress(r);
    readImplicitAddress(r, 'first staker');
    readImplicitAddress(r, 'second staker');
  })],
  [206, manager('smart_rollup_execute_outbox_message', (r) => {
    readSmartRollupAddress(r);
    r.skip(HASH32, 'cemented commitment');
    r.sized('output proof');
  })],
  [207, manager('smart_rollup_recover_bond', (r) => {
    readSmartRollupAddress(r);
    readImplicitAddress(r, 'staker');
  })],
  [230, manager('dal_publish_commitment', (r) => {
    r.u8('slot index');
    r.skip(DAL_COMMITMENT_LENGTH, 'commitment');
    r.skip(DAL_COMMITMENT_PROOF_LENGTH, 'commitment proof');
  })],
]);

/**
 * Tags octez knows that a generic request must not carry: consensus operations are signed
 * under their own magic bytes (so the high watermark applies), the rest have encodings this
 * signer does not decode and so cannot report truthfully.
 */
export const REFUSED_OPERATION_TAGS: ReadonlyMap<number, string> = new Map([
  [20, 'preattestation is signed with magic byte 0x12, never inside a generic operation'],
  [21, 'attestation is signed with magic byte 0x13, never inside a generic operation'],
  [23, 'attestation_with_dal is signed with magic byte 0x13, never inside a generic operation'],
  [30, 'preattestations_aggregate is never signed by a single baker'],
  [31, 'attestations_aggregate is never signed by a single baker'],
  [40, 'a tz4 preattestation is signed with magic byte 0x12, never inside a generic operation'],
  [41, 'a tz4 attestation is signed with magic byte 0x13, never inside a generic operation'],
  [8, 'vdf_revelation is not supported by this signer'],
  [24, 'dal_entrapment_evidence is not supported by this signer'],
  [204, 'smart_rollup_refute is not supported by this signer'],
  [250, 'zk_rollup_origination is not supported by this signer'],
  [251, 'zk_rollup_publish is not supported by this signer'],
  [252, 'zk_rollup_update is not supported by this signer'],
]);
