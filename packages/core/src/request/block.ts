// Block headers as bakers send them to be signed (protocol notes §3; octez
// `block_header_repr.ml`, `fitness_repr.ml`, and `handler.ml` for where the signer looks).
import type { RequestReader } from './reader.js';

const HASH32 = 32;
const TIMESTAMP_LENGTH = 8;
const TENDERBAKE_FITNESS_VERSION = 0x02;

export interface BlockPosition {
  readonly level: number;
  readonly round: number;
}

/** The shell header from the level (byte 5) through the fitness; returns the level. */
function readShellHeaderStart(reader: RequestReader): number {
  const level = reader.nonNegativeI32('level');
  reader.u8('protocol level');
  reader.skip(HASH32, 'predecessor hash');
  reader.skip(TIMESTAMP_LENGTH, 'timestamp');
  reader.u8('validation passes');
  reader.skip(HASH32, 'operations hash');
  return level;
}

/** One fitness element that must have exactly `length` bytes, as a reader over them. */
function element(fitness: RequestReader, what: string, lengths: readonly number[]): RequestReader {
  const at = fitness.offset;
  const bytes = fitness.sizedReader(what);
  if (!lengths.includes(bytes.remaining)) {
    fitness.fail(`${what} at byte ${at} must be ${lengths.join(' or ')} bytes, got ${bytes.remaining}`);
  }
  return bytes;
}

/**
 * Tenderbake fitness: version 02, level, locked round (empty or 4 bytes), predecessor round
 * stored as −round−1, round. The round a block is signed at is the last element.
 */
function readTenderbakeFitness(fitness: RequestReader, level: number): number {
  const version = element(fitness, 'fitness version', [1]);
  const versionAt = version.offset;
  if (version.u8('fitness version') !== TENDERBAKE_FITNESS_VERSION) {
    fitness.fail(`fitness version at byte ${versionAt} is not 02 (Tenderbake)`);
  }
  const levelElement = element(fitness, 'fitness level', [4]);
  const fitnessLevel = levelElement.i32('fitness level');
  if (fitnessLevel !== level) fitness.fail(`fitness level ${fitnessLevel} differs from the block level ${level}`);
  const locked = element(fitness, 'fitness locked round', [0, 4]);
  const lockedRound = locked.remaining === 0 ? undefined : locked.nonNegativeI32('fitness locked round');
  const predecessor = element(fitness, 'fitness predecessor round', [4]);
  const predecessorAt = predecessor.offset;
  if (predecessor.i32('fitness predecessor round') >= 0) {
    fitness.fail(`fitness predecessor round at byte ${predecessorAt} is not stored as −round−1`);
  }
  const round = element(fitness, 'fitness round', [4]).nonNegativeI32('fitness round');
  if (fitness.remaining > 0) fitness.fail(`fitness has bytes after its fifth element, at byte ${fitness.offset}`);
  if (lockedRound !== undefined && round <= lockedRound) {
    fitness.fail(`fitness round ${round} is not above its locked round ${lockedRound}`);
  }
  return round;
}

/** A Tenderbake block (0x11) after magic byte and chain id, to its last byte. */
export function readTenderbakeBlock(reader: RequestReader): BlockPosition {
  const level = readShellHeaderStart(reader);
  const round = readTenderbakeFitness(reader.sizedReader('fitness'), level);
  reader.skip(HASH32, 'context hash');
  // The protocol data that follows (payload hash and round, proof-of-work nonce, seed nonce
  // hash, votes) changes with protocol upgrades and plays no part in the watermark: like
  // octez's signer we leave it unread, so a new protocol never makes a baker miss blocks.
  return { level, round };
}

/**
 * A legacy Emmy block (0x01): its level, with the shell header checked. Emmy protocol data
 * differed between protocols, so what follows the context hash is not checked.
 */
export function readLegacyBlock(reader: RequestReader): BlockPosition {
  const level = readShellHeaderStart(reader);
  const fitness = reader.sizedReader('fitness');
  while (fitness.remaining > 0) fitness.sized('fitness element');
  reader.skip(HASH32, 'context hash');
  return { level, round: 0 };
}
