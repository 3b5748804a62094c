// (Pre)attestations as bakers send them to be signed (protocol notes §3; octez
// `operation_repr.ml` consensus cases and their signing-only `Bls_mode`).
import type { Curve } from '../curve.js';
import { readBranch } from '../operation/fields.js';
import type { RequestReader } from './reader.js';

const PAYLOAD_HASH_LENGTH = 32;

export type ConsensusKind = 'preattestation' | 'attestation';

export interface ConsensusFields {
  /** b58 `B…` block the operation is branched on */
  readonly branch: string;
  readonly level: number;
  readonly round: number;
  /** absent when a tz4 key signs: its signed bytes leave the slot out so they aggregate */
  readonly slot?: number;
  /** attestation carrying DAL content (tag 23) */
  readonly withDal: boolean;
}

const SLOTTED_TAGS: Record<ConsensusKind, readonly number[]> = { preattestation: [20], attestation: [21, 23] };
const TZ4_TAG: Record<ConsensusKind, number> = { preattestation: 40, attestation: 41 };
const DAL_TAG = 23;

/**
 * After magic byte and chain id: branch, tag, [slot], level, round, payload hash [, DAL].
 * Which layout applies depends on the key that signs (octez `handler.ml`): tz4 keys sign the
 * slot-less tags 40/41, every other key the tags 20/21/23 with a slot.
 */
export function readConsensus(reader: RequestReader, kind: ConsensusKind, signer: Curve): ConsensusFields {
  const branch = readBranch(reader);
  const tagAt = reader.offset;
  const tag = reader.u8('operation tag');
  if (signer === 'bls12_381') {
    const expected = TZ4_TAG[kind];
    if (tag !== expected) {
      reader.fail(`a tz4 key signs ${withArticle(kind)} with operation tag ${expected} (no slot), got tag ${tag} at byte ${tagAt}`);
    }
    const level = reader.nonNegativeI32('level');
    const round = reader.nonNegativeI32('round');
    reader.skip(PAYLOAD_HASH_LENGTH, 'block payload hash');
    reader.end();
    return { branch, level, round, withDal: false };
  }
  const expected = SLOTTED_TAGS[kind];
  if (!expected.includes(tag)) {
    const hint = tag === TZ4_TAG[kind] ? ' (tag of the slot-less layout only tz4 keys sign)' : '';
    reader.fail(`${withArticle(kind)} signed by a tz1/tz2/tz3 key has operation tag ${expected.join(' or ')}, got tag ${tag}${hint} at byte ${tagAt}`);
  }
  const slot = reader.u16('slot');
  const level = reader.nonNegativeI32('level');
  const round = reader.nonNegativeI32('round');
  reader.skip(PAYLOAD_HASH_LENGTH, 'block payload hash');
  const withDal = tag === DAL_TAG;
  // a bitset written as a zarith integer (octez `Bitset.encoding`), so never negative
  if (withDal) reader.integer('DAL attestation bitset', { nonNegative: true });
  reader.end();
  return { branch, level, round, slot, withDal };
}

/** A legacy Emmy endorsement (0x02) after magic and chain id: branch, tag 0, level (its last 4 bytes). */
export function readLegacyEndorsement(reader: RequestReader): { branch: string; level: number } {
  const branch = readBranch(reader);
  const tagAt = reader.offset;
  const tag = reader.u8('operation tag');
  if (tag !== 0) reader.fail(`a legacy endorsement has operation tag 0, got tag ${tag} at byte ${tagAt}`);
  const level = reader.nonNegativeI32('level');
  reader.end();
  return { branch, level };
}

function withArticle(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}
