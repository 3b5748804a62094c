/**
 * The contents of a generic (0x03) operation, decoded field by field as octez
 * `operation_repr.ml` lays them out, for policies and for the people who confirm them.
 *
 * Conventions: tez amounts are exact mutez (`bigint`, never a float); counters and limits are
 * `bigint` too. Addresses are base58 (`tz1`–`tz4`, `KT1`, `sr1`), public keys base58
 * (`edpk`/`sppk`/`p2pk`/`BLpk`), hashes base58 (`P…` protocols, `src1`/`srs1` rollup
 * commitments and states, `sh1` DAL commitments and shard proofs, `epx1` zk rollups, `expr`
 * ticket hashes); opaque byte strings (proofs only a rollup's PVM or a Plonk verifier reads) are
 * lower-case hex.
 * The `kind` field is octez's kind name and discriminates the union.
 */
import type { MichelsonExpression } from '../micheline/expression.js';
import type { DalEntrapmentEvidenceBody } from './dal-entrapment.js';
import type { Refutation } from './refutation.js';
import type { ZkRollupCircuit, ZkRollupL2Operation, ZkRollupUpdate } from './zk-rollup.js';
import type { ManagerFields } from './manager-fields.js';

export type { ManagerFields };

export interface RevealContent extends ManagerFields {
  readonly kind: 'reveal';
  readonly publicKey: string;
  /** BLsig proof of possession, for tz4 keys */
  readonly proof?: string;
}

export interface TransactionContent extends ManagerFields {
  readonly kind: 'transaction';
  /** mutez */
  readonly amount: bigint;
  /** tz1–tz4 or KT1 */
  readonly destination: string;
  /** "default" when the operation carries no parameters */
  readonly entrypoint: string;
  /** absent when the operation carries none (octez then calls `default` with Unit) */
  readonly parameters?: MichelsonExpression;
}

export interface OriginationContent extends ManagerFields {
  readonly kind: 'origination';
  /** mutez given to the new contract */
  readonly balance: bigint;
  readonly delegate?: string;
  readonly code: MichelsonExpression;
  readonly storage: MichelsonExpression;
}

export interface DelegationContent extends ManagerFields {
  readonly kind: 'delegation';
  /** absent: the source withdraws its delegation */
  readonly delegate?: string;
}

export interface RegisterGlobalConstantContent extends ManagerFields {
  readonly kind: 'register_global_constant';
  readonly value: MichelsonExpression;
}

export interface SetDepositsLimitContent extends ManagerFields {
  readonly kind: 'set_deposits_limit';
  /** mutez; absent: no limit */
  readonly limit?: bigint;
}

export interface IncreasePaidStorageContent extends ManagerFields {
  readonly kind: 'increase_paid_storage';
  /** bytes of storage paid for (not tez) */
  readonly amount: bigint;
  /** KT1 */
  readonly destination: string;
}

interface KeyUpdate extends ManagerFields {
  readonly publicKey: string;
  /** BLsig proof of possession, for tz4 keys */
  readonly proof?: string;
}

/** the source's key for consensus operations from now on */
export interface UpdateConsensusKeyContent extends KeyUpdate {
  readonly kind: 'update_consensus_key';
}

/** the tz4 companion key a tz4 delegate's attestations with DAL are aggregated with */
export interface UpdateCompanionKeyContent extends KeyUpdate {
  readonly kind: 'update_companion_key';
}

export interface TransferTicketContent extends ManagerFields {
  readonly kind: 'transfer_ticket';
  readonly ticketContents: MichelsonExpression;
  readonly ticketType: MichelsonExpression;
  /** tz1–tz4 or KT1 */
  readonly ticketer: string;
  readonly ticketAmount: bigint;
  /** tz1–tz4 or KT1 */
  readonly destination: string;
  readonly entrypoint: string;
}

export interface SmartRollupOriginateContent extends ManagerFields {
  readonly kind: 'smart_rollup_originate';
  readonly pvmKind: 'arith' | 'wasm_2_0_0' | 'riscv';
  /** hex */
  readonly kernel: string;
  readonly parametersType: MichelsonExpression;
  readonly whitelist?: readonly string[];
}

export interface SmartRollupAddMessagesContent extends ManagerFields {
  readonly kind: 'smart_rollup_add_messages';
  /** hex, one per message */
  readonly messages: readonly string[];
}

export interface SmartRollupCementContent extends ManagerFields {
  readonly kind: 'smart_rollup_cement';
  /** sr1 */
  readonly rollup: string;
}

export interface SmartRollupPublishContent extends ManagerFields {
  readonly kind: 'smart_rollup_publish';
  readonly rollup: string;
  /** srs1 */
  readonly compressedState: string;
  readonly inboxLevel: number;
  /** src1 */
  readonly predecessor: string;
  readonly numberOfTicks: bigint;
}

/** A move in (or the start of) a refutation game against `opponent`'s commitment. */
export interface SmartRollupRefuteContent extends ManagerFields {
  readonly kind: 'smart_rollup_refute';
  readonly rollup: string;
  /** the staker whose commitment is refuted */
  readonly opponent: string;
  readonly refutation: Refutation;
}

export interface SmartRollupTimeoutContent extends ManagerFields {
  readonly kind: 'smart_rollup_timeout';
  readonly rollup: string;
  readonly firstStaker: string;
  readonly secondStaker: string;
}

export interface SmartRollupExecuteOutboxMessageContent extends ManagerFields {
  readonly kind: 'smart_rollup_execute_outbox_message';
  readonly rollup: string;
  /** src1 */
  readonly cementedCommitment: string;
  /** hex */
  readonly outputProof: string;
}

export interface SmartRollupRecoverBondContent extends ManagerFields {
  readonly kind: 'smart_rollup_recover_bond';
  readonly rollup: string;
  readonly staker: string;
}

export interface DalPublishCommitmentContent extends ManagerFields {
  readonly kind: 'dal_publish_commitment';
  readonly slotIndex: number;
  /** sh1 */
  readonly commitment: string;
  /** hex */
  readonly commitmentProof: string;
}

export interface ZkRollupOriginationContent extends ManagerFields {
  readonly kind: 'zk_rollup_origination';
  /** hex: the Plonk verifier's public parameters, as carried */
  readonly publicParameters: string;
  readonly circuitsInfo: readonly ZkRollupCircuit[];
  /** hex scalars, 32 bytes each */
  readonly initState: readonly string[];
  readonly nbOps: number;
}

export interface ZkRollupPublishContent extends ManagerFields {
  readonly kind: 'zk_rollup_publish';
  /** epx1 */
  readonly zkRollup: string;
  readonly operations: readonly ZkRollupL2Operation[];
}

export interface ZkRollupUpdateContent extends ManagerFields {
  readonly kind: 'zk_rollup_update';
  /** epx1 */
  readonly zkRollup: string;
  readonly update: ZkRollupUpdate;
}

export type ManagerContent =
  | RevealContent
  | TransactionContent
  | OriginationContent
  | DelegationContent
  | RegisterGlobalConstantContent
  | SetDepositsLimitContent
  | IncreasePaidStorageContent
  | UpdateConsensusKeyContent
  | UpdateCompanionKeyContent
  | TransferTicketContent
  | SmartRollupOriginateContent
  | SmartRollupAddMessagesContent
  | SmartRollupCementContent
  | SmartRollupPublishContent
  | SmartRollupRefuteContent
  | SmartRollupTimeoutContent
  | SmartRollupExecuteOutboxMessageContent
  | SmartRollupRecoverBondContent
  | DalPublishCommitmentContent
  | ZkRollupOriginationContent
  | ZkRollupPublishContent
  | ZkRollupUpdateContent;

export interface SeedNonceRevelationContent {
  readonly kind: 'seed_nonce_revelation';
  readonly level: number;
  /** hex, 32 bytes */
  readonly nonce: string;
}

export interface VdfRevelationContent {
  readonly kind: 'vdf_revelation';
  /** hex: the VDF result and its proof, 100 bytes each */
  readonly solution: readonly [string, string];
}

export interface DoubleConsensusEvidenceContent {
  readonly kind: 'double_consensus_operation_evidence';
  readonly slot: number;
  /** hex of each denounced operation, as carried */
  readonly firstOperation: string;
  readonly secondOperation: string;
}

export interface DoubleBakingEvidenceContent {
  readonly kind: 'double_baking_evidence';
  /** hex of each denounced block header, as carried */
  readonly firstBlockHeader: string;
  readonly secondBlockHeader: string;
}

/** Denounces a baker that attested a DAL slot whose shard is a trap it should have noticed. */
export interface DalEntrapmentEvidenceContent extends DalEntrapmentEvidenceBody {
  readonly kind: 'dal_entrapment_evidence';
}

export interface ActivateAccountContent {
  readonly kind: 'activate_account';
  /** tz1 of the fundraiser account */
  readonly pkh: string;
  /** hex, 20 bytes */
  readonly secret: string;
}

export interface ProposalsContent {
  readonly kind: 'proposals';
  readonly source: string;
  readonly period: number;
  /** P… protocol hashes */
  readonly proposals: readonly string[];
}

export interface BallotContent {
  readonly kind: 'ballot';
  readonly source: string;
  readonly period: number;
  /** P… protocol hash */
  readonly proposal: string;
  readonly ballot: 'yay' | 'nay' | 'pass';
}

export interface DrainDelegateContent {
  readonly kind: 'drain_delegate';
  readonly consensusKey: string;
  readonly delegate: string;
  /** receives the delegate's whole spendable balance: the amount is not in the operation */
  readonly destination: string;
}

export interface FailingNoopContent {
  readonly kind: 'failing_noop';
  /** hex; wallets sign off-chain messages this way */
  readonly arbitrary: string;
}

export type OtherContent =
  | SeedNonceRevelationContent
  | VdfRevelationContent
  | DoubleConsensusEvidenceContent
  | DoubleBakingEvidenceContent
  | DalEntrapmentEvidenceContent
  | ActivateAccountContent
  | ProposalsContent
  | BallotContent
  | DrainDelegateContent
  | FailingNoopContent;

export type OperationContent = ManagerContent | OtherContent;

export type OperationKindName = OperationContent['kind'];

/** A whole generic operation: `0x03` ‖ branch ‖ contents. */
export interface DecodedOperation {
  /** b58 `B…` hash of the block the operation is branched on */
  readonly branch: string;
  /** at least one; several only when all are manager operations */
  readonly contents: readonly OperationContent[];
}
