// The operation contents a generic (0x03) request may hold, by binary tag, as octez
// `operation_repr.ml` (protocol alpha, and Ushuaia: the same layouts) defines them. Each entry
// reads the body after the tag; the rollup and DAL-evidence bodies have files of their own.
import { bytesToHex } from '../encoding/hex.js';
import type { ManagerContent, ManagerFields, OperationContent, OperationKindName, OtherContent } from './content.js';
import {
  HASH_LENGTH,
  readContract,
  readEnumerated,
  readHash,
  readHex,
  readImplicitAddress,
  readLazyExpression,
  readManagerHeader,
  readOptionalBlsProof,
  readOptionalImplicitAddress,
  readOriginatedContract,
  readPublicKey,
  readSimpleEntrypoint,
  readSizedHex,
  readSizedList,
  readSmartEntrypoint,
  readTez,
} from './fields.js';
import type { RequestReader } from '../request/reader.js';
import { readDalEntrapmentEvidence } from './dal-entrapment.js';
import { readRefutation } from './refutation.js';
import { readCircuitsInfo, readL2Operations, readScalarArray, readZkRollupAddress, readZkRollupUpdate } from './zk-rollup.js';

export interface OperationKind {
  readonly name: OperationKindName;
  /** manager operations (fee, counter, limits) are the only ones that may be batched */
  readonly manager: boolean;
  /** reads the body after the tag */
  readonly read: (reader: RequestReader) => OperationContent;
}

const HASH32 = 32;
const NONCE_LENGTH = 32;
const VDF_PART_LENGTH = 100;
const DAL_COMMITMENT_LENGTH = 48;
const DAL_COMMITMENT_PROOF_LENGTH = 96;
const MAX_PROPOSALS = 20;
const BALLOTS = ['yay', 'nay', 'pass'] as const;
const PVM_KINDS = ['arith', 'wasm_2_0_0', 'riscv'] as const;
const TICKS_LENGTH = 8;

type Body<C> = Omit<C, keyof ManagerFields | 'kind'>;

/**
 * The content of a kind's fields, optional ones left out when absent. The cast is sound: each
 * kind's body reader is typed against its own member of the union.
 */
const content = (fields: object): OperationContent =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as OperationContent;

const manager = <K extends ManagerContent['kind']>(name: K, body: (reader: RequestReader) => Body<Extract<ManagerContent, { kind: K }>>): OperationKind => ({
  name,
  manager: true,
  read: (reader) => {
    const header = readManagerHeader(reader);
    return content({ kind: name, ...header, ...body(reader) });
  },
});

const other = <K extends OtherContent['kind']>(name: K, body: (reader: RequestReader) => Omit<Extract<OtherContent, { kind: K }>, 'kind'>): OperationKind => ({
  name,
  manager: false,
  read: (reader) => content({ kind: name, ...body(reader) }),
});

/** reveal and key updates: a public key, and a proof of possession when it is a tz4 one */
const readKeyAndProof = (reader: RequestReader) => ({
  publicKey: readPublicKey(reader, 'public key'),
  proof: readOptionalBlsProof(reader, 'proof of possession'),
});
const readSmartRollupAddress = (reader: RequestReader): string => readHash(reader, 'sr1', HASH_LENGTH, 'smart rollup address');
const readProtocolHash = (reader: RequestReader): string => readHash(reader, 'P', HASH32, 'protocol hash');
const readCommitmentHash = (reader: RequestReader, what: string): string => readHash(reader, 'src1', HASH32, what);

function readTicks(reader: RequestReader): bigint {
  const at = reader.offset;
  const bytes = reader.bytesOf(TICKS_LENGTH, 'number of ticks');
  if ((bytes[0] as number) >= 0x80) reader.fail(`number of ticks at byte ${at} is negative`);
  return BigInt(`0x${bytesToHex(bytes)}`);
}

export const OPERATION_KINDS: ReadonlyMap<number, OperationKind> = new Map<number, OperationKind>([
  [1, other('seed_nonce_revelation', (r) => ({ level: r.nonNegativeI32('level'), nonce: readHex(r, NONCE_LENGTH, 'nonce') }))],
  [2, other('double_consensus_operation_evidence', (r) => ({
    slot: r.u16('slot'),
    firstOperation: readSizedHex(r, 'first operation'),
    secondOperation: readSizedHex(r, 'second operation'),
  }))],
  [3, other('double_baking_evidence', (r) => ({
    firstBlockHeader: readSizedHex(r, 'first block header'),
    secondBlockHeader: readSizedHex(r, 'second block header'),
  }))],
  [4, other('activate_account', (r) => ({
    pkh: readHash(r, 'tz1', HASH_LENGTH, 'tz1 hash'),
    secret: readHex(r, HASH_LENGTH, 'activation secret'),
  }))],
  [5, other('proposals', (r) => {
    const source = readImplicitAddress(r, 'source');
    const period = r.i32('period');
    const at = r.offset;
    const proposals = readSizedList(r, 'proposals', readProtocolHash);
    if (proposals.length > MAX_PROPOSALS) r.fail(`proposals at byte ${at} lists ${proposals.length} protocols, at most ${MAX_PROPOSALS} allowed`);
    return { source, period, proposals };
  })],
  [6, other('ballot', (r) => ({
    source: readImplicitAddress(r, 'source'),
    period: r.i32('period'),
    proposal: readProtocolHash(r),
    ballot: readEnumerated(r, 'ballot', BALLOTS),
  }))],
  [8, other('vdf_revelation', (r) => ({
    solution: [readHex(r, VDF_PART_LENGTH, 'VDF result'), readHex(r, VDF_PART_LENGTH, 'VDF proof')] as const,
  }))],
  [9, other('drain_delegate', (r) => ({
    consensusKey: readImplicitAddress(r, 'consensus key'),
    delegate: readImplicitAddress(r, 'delegate'),
    destination: readImplicitAddress(r, 'destination'),
  }))],
  [17, other('failing_noop', (r) => ({ arbitrary: readSizedHex(r, 'arbitrary bytes') }))],
  [24, other('dal_entrapment_evidence', readDalEntrapmentEvidence)],
  [107, manager('reveal', readKeyAndProof)],
  [108, manager('transaction', (r) => {
    const amount = readTez(r, 'amount');
    const destination = readContract(r, 'destination');
    if (!r.presence('parameters')) return { amount, destination, entrypoint: 'default' };
    const entrypoint = readSmartEntrypoint(r);
    return { amount, destination, entrypoint, parameters: readLazyExpression(r, 'parameters') };
  })],
  [109, manager('origination', (r) => ({
    balance: readTez(r, 'balance'),
    delegate: readOptionalImplicitAddress(r, 'delegate'),
    code: readLazyExpression(r, 'code'),
    storage: readLazyExpression(r, 'storage'),
  }))],
  [110, manager('delegation', (r) => ({ delegate: readOptionalImplicitAddress(r, 'delegate') }))],
  [111, manager('register_global_constant', (r) => ({ value: readLazyExpression(r, 'value') }))],
  [112, manager('set_deposits_limit', (r) => ({ limit: r.presence('limit') ? readTez(r, 'limit') : undefined }))],
  [113, manager('increase_paid_storage', (r) => ({
    amount: r.integer('amount'),
    destination: readOriginatedContract(r, 'destination'),
  }))],
  [114, manager('update_consensus_key', readKeyAndProof)],
  [115, manager('update_companion_key', readKeyAndProof)],
  [158, manager('transfer_ticket', (r) => ({
    ticketContents: readLazyExpression(r, 'ticket contents'),
    ticketType: readLazyExpression(r, 'ticket type'),
    ticketer: readContract(r, 'ticketer'),
    ticketAmount: r.natural('ticket amount'),
    destination: readContract(r, 'destination'),
    entrypoint: readSimpleEntrypoint(r),
  }))],
  [200, manager('smart_rollup_originate', (r) => ({
    pvmKind: readEnumerated(r, 'PVM kind', PVM_KINDS),
    kernel: readSizedHex(r, 'kernel'),
    parametersType: readLazyExpression(r, 'parameters type'),
    whitelist: r.presence('whitelist') ? readSizedList(r, 'whitelist', (items) => readImplicitAddress(items, 'whitelisted address')) : undefined,
  }))],
  [201, manager('smart_rollup_add_messages', (r) => ({
    messages: readSizedList(r, 'messages', (items) => readSizedHex(items, 'message')),
  }))],
  [202, manager('smart_rollup_cement', (r) => ({ rollup: readSmartRollupAddress(r) }))],
  [203, manager('smart_rollup_publish', (r) => ({
    rollup: readSmartRollupAddress(r),
    compressedState: readHash(r, 'srs1', HASH32, 'compressed state'),
    inboxLevel: r.nonNegativeI32('inbox level'),
    predecessor: readCommitmentHash(r, 'predecessor commitment'),
    numberOfTicks: readTicks(r),
  }))],
  [204, manager('smart_rollup_refute', (r) => ({
    rollup: readSmartRollupAddress(r),
    opponent: readImplicitAddress(r, 'opponent'),
    refutation: readRefutation(r),
  }))],
  [205, manager('smart_rollup_timeout', (r) => ({
    rollup: readSmartRollupAddress(r),
    firstStaker: readImplicitAddress(r, 'first staker'),
    secondStaker: readImplicitAddress(r, 'second staker'),
  }))],
  [206, manager('smart_rollup_execute_outbox_message', (r) => ({
    rollup: readSmartRollupAddress(r),
    cementedCommitment: readCommitmentHash(r, 'cemented commitment'),
    outputProof: readSizedHex(r, 'output proof'),
  }))],
  [207, manager('smart_rollup_recover_bond', (r) => ({
    rollup: readSmartRollupAddress(r),
    staker: readImplicitAddress(r, 'staker'),
  }))],
  [230, manager('dal_publish_commitment', (r) => ({
    slotIndex: r.u8('slot index'),
    commitment: readHash(r, 'sh', DAL_COMMITMENT_LENGTH, 'commitment'),
    commitmentProof: readHex(r, DAL_COMMITMENT_PROOF_LENGTH, 'commitment proof'),
  }))],
  [250, manager('zk_rollup_origination', (r) => ({
    publicParameters: readSizedHex(r, 'public parameters'),
    circuitsInfo: readCircuitsInfo(r),
    initState: readScalarArray(r, 'initial state'),
    nbOps: r.int31('number of operations'),
  }))],
  [251, manager('zk_rollup_publish', (r) => ({ zkRollup: readZkRollupAddress(r, 'zk rollup'), operations: readL2Operations(r) }))],
  [252, manager('zk_rollup_update', (r) => ({ zkRollup: readZkRollupAddress(r, 'zk rollup'), update: readZkRollupUpdate(r) }))],
]);

/** Every kind a generic operation may hold and this signer decodes, in tag order (for configuration checks). */
export const OPERATION_KIND_NAMES: readonly OperationKindName[] = [...OPERATION_KINDS.values()].map((kind) => kind.name);

const MANAGER_KINDS: ReadonlySet<string> = new Set([...OPERATION_KINDS.values()].filter((kind) => kind.manager).map((kind) => kind.name));

/** Manager operations carry source, fee, counter and limits, and are the only ones batched. */
export function isManagerContent(content: OperationContent): content is ManagerContent {
  return MANAGER_KINDS.has(content.kind);
}

/**
 * Tags octez knows that a generic request must not carry: consensus operations are signed
 * under their own magic bytes (so the high watermark applies), aggregates by no single baker.
 */
export const REFUSED_OPERATION_TAGS: ReadonlyMap<number, string> = new Map([
  [20, 'preattestation is signed with magic byte 0x12, never inside a generic operation'],
  [21, 'attestation is signed with magic byte 0x13, never inside a generic operation'],
  [23, 'attestation_with_dal is signed with magic byte 0x13, never inside a generic operation'],
  [30, 'preattestations_aggregate is never signed by a single baker'],
  [31, 'attestations_aggregate is never signed by a single baker'],
  [40, 'a tz4 preattestation is signed with magic byte 0x12, never inside a generic operation'],
  [41, 'a tz4 attestation is signed with magic byte 0x13, never inside a generic operation'],
]);
