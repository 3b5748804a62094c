// The refutation a smart_rollup_refute carries: octez protocol `sc_rollup_game_repr.ml`
// (`refutation_encoding`, `step_encoding`), `sc_rollup_dissection_chunk_repr.ml` and
// `sc_rollup_proof_repr.ml` (`encoding`, `input_proof_encoding`, `reveal_proof_encoding`).
// Every tag and length is checked, so what follows the refutation is never misread; the PVM step
// and the inbox, DAL and raw-data proofs are kept as the bytes they are (octez itself reads the
// PVM step only later, with the rollup's own PVM).
import { readEnumerated, readHash, readHex, readSizedHex } from './fields.js';
import type { RequestReader } from '../request/reader.js';

const HASH32 = 32;
/** `Constants_repr.sc_rollup_message_size_limit`: the bound on a raw-data reveal */
const MAX_RAW_DATA = 4096;

/** `Start`: the refuter opens a game between its commitment and the opponent's. */
export interface RefutationStart {
  readonly kind: 'start';
  /** src1 */
  readonly playerCommitment: string;
  /** src1 */
  readonly opponentCommitment: string;
}

/** One section boundary of a dissection: the state hash (srs1) there, if any, and its tick. */
export interface DissectionChunk {
  readonly state?: string;
  readonly tick: bigint;
}

export type RevealProof =
  | { readonly kind: 'raw_data_proof'; /** hex */ readonly rawData: string }
  | { readonly kind: 'metadata_proof' }
  | {
      readonly kind: 'dal_page_proof';
      readonly publishedLevel: number;
      readonly slotIndex: number;
      readonly pageIndex: number;
      /** hex: the DAL skip-list proof, as carried */
      readonly dalProof: string;
    }
  | { readonly kind: 'dal_parameters_proof' };

export type InputProof =
  | {
      readonly kind: 'inbox_proof';
      readonly level: number;
      readonly messageCounter: bigint;
      /** hex: the serialized inbox proof, as carried */
      readonly serializedProof: string;
    }
  | { readonly kind: 'reveal_proof'; readonly revealProof: RevealProof }
  | { readonly kind: 'first_input' };

export type RefutationStep =
  | { readonly kind: 'dissection'; readonly chunks: readonly DissectionChunk[] }
  | {
      readonly kind: 'proof';
      /** hex: the PVM step proof, which only the rollup's PVM reads */
      readonly pvmStep: string;
      readonly inputProof?: InputProof;
    };

/** `Move`: the player's next move at tick `choice` of the game. */
export interface RefutationMove {
  readonly kind: 'move';
  readonly choice: bigint;
  readonly step: RefutationStep;
}

export type Refutation = RefutationStart | RefutationMove;

const readCommitment = (reader: RequestReader, what: string): string => readHash(reader, 'src1', HASH32, what);

export function readRefutation(reader: RequestReader): Refutation {
  if (readEnumerated(reader, 'refutation tag', ['start', 'move'] as const) === 'start') {
    return { kind: 'start', playerCommitment: readCommitment(reader, 'player commitment'), opponentCommitment: readCommitment(reader, 'opponent commitment') };
  }
  const choice = reader.natural('choice tick');
  return { kind: 'move', choice, step: readStep(reader) };
}

function readStep(reader: RequestReader): RefutationStep {
  if (readEnumerated(reader, 'refutation step tag', ['dissection', 'proof'] as const) === 'dissection') {
    const items = reader.sizedReader('dissection');
    const chunks: DissectionChunk[] = [];
    while (items.remaining > 0) {
      const state = items.presence('dissection state') ? readHash(items, 'srs1', HASH32, 'dissection state') : undefined;
      const tick = items.natural('dissection tick');
      chunks.push(state === undefined ? { tick } : { state, tick });
    }
    return { kind: 'dissection', chunks };
  }
  const pvmStep = readSizedHex(reader, 'PVM step proof');
  if (!reader.presence('input proof')) return { kind: 'proof', pvmStep };
  return { kind: 'proof', pvmStep, inputProof: readInputProof(reader) };
}

function readInputProof(reader: RequestReader): InputProof {
  switch (readEnumerated(reader, 'input proof tag', ['inbox_proof', 'reveal_proof', 'first_input'] as const)) {
    case 'inbox_proof':
      return {
        kind: 'inbox_proof',
        level: reader.nonNegativeI32('inbox proof level'),
        messageCounter: reader.natural('message counter'),
        serializedProof: readSizedHex(reader, 'serialized inbox proof'),
      };
    case 'reveal_proof':
      return { kind: 'reveal_proof', revealProof: readRevealProof(reader) };
    case 'first_input':
      return { kind: 'first_input' };
  }
}

function readRevealProof(reader: RequestReader): RevealProof {
  switch (readEnumerated(reader, 'reveal proof tag', ['raw_data_proof', 'metadata_proof', 'dal_page_proof', 'dal_parameters_proof'] as const)) {
    case 'raw_data_proof': {
      const at = reader.offset;
      const length = reader.u16('length of raw data');
      if (length > MAX_RAW_DATA) reader.fail(`raw data at byte ${at} declares ${length} bytes, at most ${MAX_RAW_DATA} allowed`);
      return { kind: 'raw_data_proof', rawData: readHex(reader, length, 'raw data') };
    }
    case 'metadata_proof':
      return { kind: 'metadata_proof' };
    case 'dal_page_proof':
      return {
        kind: 'dal_page_proof',
        publishedLevel: reader.nonNegativeI32('DAL page published level'),
        slotIndex: reader.u8('DAL page slot index'),
        pageIndex: reader.i16('DAL page index'),
        dalProof: readSizedHex(reader, 'DAL page proof'),
      };
    case 'dal_parameters_proof':
      return { kind: 'dal_parameters_proof' };
  }
}
