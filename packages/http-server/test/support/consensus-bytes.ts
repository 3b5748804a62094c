// Consensus requests laid out by hand from the protocol notes (§3), independently of core's
// parser, so tests and benches can ask for a block or an attestation at any level and round.

/** Mainnet's chain id bytes (NetXdQprcVkpaWU), as in the shared request vectors. */
export const CHAIN_ID_HEX = '7a06a770';

const int32 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');
const fill = (byte: number, length: number): string => byte.toString(16).padStart(2, '0').repeat(length);

/**
 * A Tenderbake block header (magic 0x11) at `level` and `round`; `payload` varies the payload
 * hash so two blocks at the same (level, round) differ.
 */
export function tenderbakeBlock(level: number, round: number, payload = 0xdd): string {
  const fitness = [
    '00000001' + '02', // version
    '00000004' + int32(level),
    '00000000', // no locked round
    '00000004' + 'ffffffff', // predecessor round 0, stored as −0−1
    '00000004' + int32(round),
  ].join('');
  return [
    '11',
    CHAIN_ID_HEX,
    int32(level),
    '01', // proto
    fill(0xaa, 32), // predecessor
    '000000006b86db00', // timestamp
    '04', // validation passes
    fill(0xbb, 32), // operations hash
    int32(fitness.length / 2),
    fitness,
    fill(0xcc, 32), // context
    fill(payload, 32), // payload hash
    int32(round), // payload round
    fill(0, 8), // proof-of-work nonce
    '00', // no seed nonce hash
    '00', // per-block votes
  ].join('');
}

/**
 * A (pre)attestation as a tz1/tz2/tz3 key signs it (magic 0x12/0x13, slot included) or as a
 * tz4 key signs it (tags 40/41, no slot).
 */
export function attestation(
  kind: 'preattestation' | 'attestation',
  level: number,
  round: number,
  options: { tz4?: boolean; payload?: number } = {},
): string {
  const magic = kind === 'preattestation' ? '12' : '13';
  const tag = options.tz4 ? (kind === 'preattestation' ? '28' : '29') : kind === 'preattestation' ? '14' : '15';
  const slot = options.tz4 ? '' : '0007';
  return [magic, CHAIN_ID_HEX, fill(0xee, 32), tag, slot, int32(level), int32(round), fill(options.payload ?? 0xdd, 32)].join('');
}
