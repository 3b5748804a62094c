// What a dal_entrapment_evidence carries (octez protocol `operation_repr.ml`, case tag 24): the
// denounced attestation, the consensus slot, the DAL slot index, an optional lag index, and the
// trap shard with its proof (`dal_slot_repr.ml` Shard_with_proof; `src/lib_crypto_dal/cryptobox.ml`:
// a shard is an int31 index and a length-prefixed array of 32-byte scalars, its proof a 48-byte
// compressed G1 point shown as octez shows it, `sh1…`).
import { readHash, readSizedHex } from './fields.js';
import type { RequestReader } from '../request/reader.js';

const SCALAR_LENGTH = 32;
const SHARD_PROOF_LENGTH = 48;

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

export function readDalEntrapmentEvidence(reader: RequestReader): DalEntrapmentEvidenceBody {
  const attestation = readSizedHex(reader, 'denounced attestation');
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
