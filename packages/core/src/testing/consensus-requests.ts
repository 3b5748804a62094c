// Consensus requests as a baker sends them to be signed (magic byte, chain id, then the block
// header or the operation without its signature), laid out as octez lays them out: protocol
// notes §3, octez `block_header_repr.ml`, `fitness_repr.ml` and `operation_repr.ml`.
import { badRequest } from '../errors.js';
import { b58cDecode } from '../encoding/base58.js';
import { concat, fixed, hash32, int32, int64, naturalAsZ, position, positionBytes, sized, uint } from './byte-layout.js';

/** Mainnet's chain id, the default of every builder. */
export const MAINNET_CHAIN_ID = 'NetXdQprcVkpaWU';

const BLOCK_MAGIC = 0x11;
const PREATTESTATION_MAGIC = 0x12;
const ATTESTATION_MAGIC = 0x13;
const TENDERBAKE_FITNESS_VERSION = 0x02;
const NO_SEED_NONCE_HASH = 0x00;
const SEED_NONCE_HASH_PRESENT = 0xff;
// operation tags (octez `operation_repr.ml`): tz1–tz3 keys sign a slot; tz4 keys sign none, so
// that their signatures aggregate
const TAGS = { preattestation: { slotted: 20, tz4: 40 }, attestation: { slotted: 21, dal: 23, tz4: 41 } } as const;

/** What every builder takes: where and at which position. */
interface PositionFields {
  /** b58 chain id (`Net…`); mainnet's by default */
  readonly chainId?: string | undefined;
  readonly level: number;
  /** 0 by default */
  readonly round?: number | undefined;
  /** b58 block payload hash (`vh…`) or its 32 bytes; 32 zero bytes by default. Change it for other bytes at one position. */
  readonly payloadHash?: string | Uint8Array | undefined;
}

export interface BlockRequestFields extends PositionFields {
  /** the round its payload was first proposed at; `round` by default */
  readonly payloadRound?: number | undefined;
  /** the fitness's locked round, below `round`; none by default */
  readonly lockedRound?: number | undefined;
  /** the predecessor block's round; 0 by default */
  readonly predecessorRound?: number | undefined;
  /** b58 predecessor block hash (`B…`) or its 32 bytes */
  readonly predecessor?: string | Uint8Array | undefined;
  /** seconds since 1970; 0 by default */
  readonly timestamp?: number | undefined;
  /** 1 by default */
  readonly protocolLevel?: number | undefined;
  /** 4 by default */
  readonly validationPasses?: number | undefined;
  /** 32 bytes; zeros by default */
  readonly operationsHash?: Uint8Array | undefined;
  /** the context hash, 32 bytes; zeros by default */
  readonly context?: Uint8Array | undefined;
  /** 8 bytes; zeros by default */
  readonly proofOfWorkNonce?: Uint8Array | undefined;
  /** 32 bytes, at levels that commit to a seed nonce; absent by default */
  readonly seedNonceHash?: Uint8Array | undefined;
  /** the per-block votes byte (liquidity baking, adaptive issuance); 0 by default */
  readonly perBlockVotes?: number | undefined;
}

/**
 * Which key signs a (pre)attestation decides its layout: a tz4 key signs it without a slot (tags
 * 40 and 41), a tz1, tz2 or tz3 key with one. An address, or just its first three letters.
 */
export type ConsensusSigner = `tz${'1' | '2' | '3' | '4'}${string}`;

export interface PreattestationRequestFields extends PositionFields {
  /** the key that signs it: `tz1` by default */
  readonly signer?: ConsensusSigner | undefined;
  /** b58 hash of the block it is branched on (`B…`) or its 32 bytes; zeros by default */
  readonly branch?: string | Uint8Array | undefined;
  /** tz1–tz3 only: the first slot of the delegate; 0 by default */
  readonly slot?: number | undefined;
}

export interface AttestationRequestFields extends PreattestationRequestFields {
  /** tz1–tz3 only: the DAL attestation bitset, which makes it an attestation with DAL content (tag 23) */
  readonly dal?: bigint | number | undefined;
}

function header(magic: number, chainId: string | undefined): Uint8Array {
  return concat([Uint8Array.of(magic), b58cDecode(chainId ?? MAINNET_CHAIN_ID, 'Net', 'a chain id (Net…)').payload]);
}

/** The fitness of a Tenderbake block: version 02, level, locked round, predecessor round as −round−1, round. */
function fitness(level: number, round: number, lockedRound: number | undefined, predecessorRound: number): Uint8Array {
  if (lockedRound !== undefined && !(lockedRound >= 0 && lockedRound < round)) {
    throw badRequest(`the locked round must be from 0 to the round below ${round}, got ${lockedRound}`);
  }
  if (predecessorRound < 0) throw badRequest(`the predecessor round must not be negative, got ${predecessorRound}`);
  return sized(
    concat([
      sized(Uint8Array.of(TENDERBAKE_FITNESS_VERSION)),
      sized(int32(level, 'the level')),
      sized(lockedRound === undefined ? new Uint8Array(0) : int32(lockedRound, 'the locked round')),
      sized(int32(-predecessorRound - 1, 'the predecessor round')),
      sized(int32(round, 'the round')),
    ]),
  );
}

/** The bytes a baker asks a signer to sign for a Tenderbake block (magic byte 0x11) at `level` and `round`. */
export function buildBlockRequest(fields: BlockRequestFields): Uint8Array {
  const level = position(fields.level, 'the level');
  const round = position(fields.round ?? 0, 'the round');
  const seedNonceHash = fields.seedNonceHash;
  return concat([
    header(BLOCK_MAGIC, fields.chainId),
    int32(level, 'the level'),
    uint(fields.protocolLevel ?? 1, 1, 'the protocol level'),
    hash32(fields.predecessor, 'B', 'the predecessor'),
    int64(fields.timestamp ?? 0, 'the timestamp'),
    uint(fields.validationPasses ?? 4, 1, 'the validation passes'),
    hash32(fields.operationsHash, undefined, 'the operations hash'),
    fitness(level, round, fields.lockedRound, fields.predecessorRound ?? 0),
    hash32(fields.context, undefined, 'the context hash'),
    hash32(fields.payloadHash, 'vh', 'the payload hash'),
    positionBytes(fields.payloadRound ?? round, 'the payload round'),
    fields.proofOfWorkNonce === undefined ? new Uint8Array(8) : fixed(fields.proofOfWorkNonce, 8, 'the proof-of-work nonce'),
    seedNonceHash === undefined ? Uint8Array.of(NO_SEED_NONCE_HASH) : concat([Uint8Array.of(SEED_NONCE_HASH_PRESENT), fixed(seedNonceHash, 32, 'the seed nonce hash')]),
    uint(fields.perBlockVotes ?? 0, 1, 'the per-block votes'),
  ]);
}

function consensus(kind: 'preattestation' | 'attestation', magic: number, fields: AttestationRequestFields): Uint8Array {
  const signer = fields.signer ?? 'tz1';
  if (!/^tz[1-4]/.test(signer)) throw badRequest(`the signer must be a tz1, tz2, tz3 or tz4 address (or its first three letters), got ${signer}`);
  const tz4 = signer.startsWith('tz4');
  if (tz4 && (fields.slot !== undefined || fields.dal !== undefined)) {
    throw badRequest(`a tz4 key signs ${kind}s without a slot or DAL content: leave slot and dal out`);
  }
  const tags: { slotted: number; tz4: number; dal?: number } = TAGS[kind];
  const dal = fields.dal === undefined ? undefined : BigInt(fields.dal);
  const tag = tz4 ? tags.tz4 : dal === undefined ? tags.slotted : (tags.dal as number);
  return concat([
    header(magic, fields.chainId),
    hash32(fields.branch, 'B', 'the branch'),
    Uint8Array.of(tag),
    tz4 ? new Uint8Array(0) : uint(fields.slot ?? 0, 2, 'the slot'),
    positionBytes(fields.level, 'the level'),
    positionBytes(fields.round ?? 0, 'the round'),
    hash32(fields.payloadHash, 'vh', 'the payload hash'),
    dal === undefined ? new Uint8Array(0) : naturalAsZ(dal, 'the DAL bitset'),
  ]);
}

/** The bytes a baker asks a signer to sign for a preattestation (magic byte 0x12), in the layout of its `signer`. */
export function buildPreattestationRequest(fields: PreattestationRequestFields): Uint8Array {
  return consensus('preattestation', PREATTESTATION_MAGIC, fields);
}

/** The bytes a baker asks a signer to sign for an attestation (magic byte 0x13), in the layout of its `signer`. */
export function buildAttestationRequest(fields: AttestationRequestFields): Uint8Array {
  if (fields.dal !== undefined && typeof fields.dal !== 'bigint' && !Number.isSafeInteger(fields.dal)) throw badRequest(`the DAL bitset must be an integer, got ${fields.dal}`);
  return consensus('attestation', ATTESTATION_MAGIC, fields);
}
