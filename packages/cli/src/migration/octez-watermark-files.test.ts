import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { parseOctezWatermarkFile, serializeOctezWatermarkFiles } from './octez-watermark-files.js';
import { parseSignatoryWatermarkFile } from './signatory-watermark-files.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const HASH = 'ab'.repeat(32);
const octez = (mark: object, chain = 'NetXdQprcVkpaWU', pkh = PKH) => JSON.stringify({ [chain]: { [pkh]: mark } });

describe('octez watermark files', () => {
  it('refuses, naming the file and the place, what octez would not have written', () => {
    const refused = (text: string) => thrownMessage('BAD_REQUEST', () => parseOctezWatermarkFile(text, 'block_high_watermarks', 'block'));
    expect(refused('[')).toBe('block_high_watermarks: not JSON');
    expect(refused('[]')).toContain('not an object of chain ids');
    expect(refused(octez({ level: 1, round: 0, hash: HASH }, 'NetXbad'))).toContain('NetXbad is not a chain id');
    expect(refused(octez({ level: 1, round: 0, hash: HASH }, 'NetXdQprcVkpaWU', 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi'))).toContain('not a tz1–tz4 address');
    expect(refused(octez({ level: -1, round: 0, hash: HASH }))).toContain('level must be a non-negative int32');
    expect(refused(octez({ level: 1, round: 2 ** 31, hash: HASH }))).toContain('round');
    expect(refused(octez({ level: 1, round: 0, hash: 'abc' }))).toContain('hash must be 64 hex digits');
    expect(refused(octez({ level: 1, round: 0, hash: HASH, signature: 'edsigNope' }))).toContain('not a b58 signature');
  });

  it('reads an Emmy mark (no round) at round 0, an endorsement one as a legacy endorsement, and leaves those out of an export', () => {
    const [entry] = parseOctezWatermarkFile(octez({ level: 7, hash: HASH }), 'endorsement_high_watermarks', 'attestation');
    expect(entry).toEqual({ key: { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'legacy_endorsement' }, watermark: { level: 7, round: 0, hash: HASH } });
    const { files, left } = serializeOctezWatermarkFiles(entry === undefined ? [] : [entry]);
    expect([files.size, left]).toEqual([0, [entry]]);
  });
});

describe('Signatory watermark files', () => {
  const refused = (text: string, name = 'NetXdQprcVkpaWU.json') => thrownMessage('BAD_REQUEST', () => parseSignatoryWatermarkFile(text, `watermark_v2/${name}`, name));
  it('refuses unknown kinds, hashes that are not vh…, and files not named by a chain', () => {
    expect(refused(JSON.stringify({ [PKH]: { transaction: { level: 1, round: 0, hash: null } } }))).toContain('unknown request kind transaction');
    expect(refused(JSON.stringify({ [PKH]: { block: { level: 1, round: 0, hash: HASH } } }))).toContain('is not a vh… hash');
    expect(refused('{}', 'notachain.json')).toContain('notachain is not a chain id');
  });
});
