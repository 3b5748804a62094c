// What a dal_entrapment_evidence carries (octez protocol `operation_repr.ml`, case tag 24): the
// denounced attestation, the consensus slot, the DAL slot index, an optional lag index, and the
// trap shard with its proof (`dal_slot_repr.ml` Shard_with_proof; `src/lib_crypto_dal/cryptobox.ml`:
// a shard is an int31 index and a length-prefixed array of 32-byte scalars, its proof a 48-byte
// compressed G1 point shown as octez shows it, `sh1…`).
import { bytesToHex } from '../encoding/hex.js';
import { readHash, readSizedHex } from './fields.js';
import type { RequestReader } from '../request/reader.js';

const SCALAR_LENGTH = 32;
const SHARD_PROOF_LENGTH = 48;
const BRANCH_LENGTH = 32;
/** preattestation, attestation, attestation_with_dal, preattestations_aggregate, attestations_aggregate */
const INLINED_CONSENSUS_TAGS: readonly number[] = [20, 21, 23, 30, 31];

export interface DalEntrapmentEvidenceBody {
  /** hex of the denounced attestation (shell header, contents, signature), as carried */
  readonly attestation: string;
  readonly consensusSlot: number;
  readonly slotIndex: number;
  readonly lagIndex?: number;
  readonly shard: {
    readonly index: number;
    /** hex of the shard's scalars, 32 bytes each */
    readonly share: string;
    /** sh1 */
    readonly proof: string;
  };
}

/**
 * The denounced operation, kept as its bytes; its contents tag is checked to be one of the
 * consensus operations octez's `inlined_consensus_operation_encoding` allows, after the branch.
 */
function readDenouncedAttestation(reader: RequestReader): string {
  const at = reader.offset;
  const bytes = reader.sized('denounced attestation');
  const tag = bytes[BRANCH_LENGTH];
  if (tag === undefined) reader.fail(`truncated: denounced attestation at byte ${at} holds ${bytes.length} bytes, too few for a branch and an operation tag`);
  if (!INLINED_CONSENSUS_TAGS.includes(tag)) {
    reader.fail(`denounced attestation at byte ${at} has operation tag ${tag}, not one of a consensus operation (${INLINED_CONSENSUS_TAGS.join(', ')})`);
  }
  return bytesToHex(bytes);
}

export function readDalEntrapmentEvidence(reader: RequestReader): DalEntrapmentEvidenceBody {
  const attestation = readDenouncedAttestation(reader);
  const consensusSlot = reader.u16('consensus slot');
  const slotIndex = reader.u8('DAL slot index');
  const lagIndex = reader.presence('lag index') ? reader.u8('lag index') : undefined;
  const index = reader.int31('shard index');
  const at = reader.offset;
  const share = readSizedHex(reader, 'shard share');
  if (share.length % (2 * SCALAR_LENGTH) !== 0) reader.fail(`shard share at byte ${at} holds ${share.length / 2} bytes, not a whole number of ${SCALAR_LENGTH}-byte scalars`);
  const proof = readHash(reader, 'sh', SHARD_PROOF_LENGTH, 'shard proof');
  return { attestation, consensusSlot, slotIndex, ...(lagIndex === undefined ? {} : { lagIndex }), shard: { index, share, proof } };
}
