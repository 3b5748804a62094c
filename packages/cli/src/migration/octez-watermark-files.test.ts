import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { UNKNOWN_HASH } from '@tezsigner/core';
import { parseOctezBakerFile } from './octez-baker-marks.js';
import { WHOLE_LEVEL, entriesOfOctezMarks, parseOctezWatermarkFile, serializeOctezWatermarkFiles } from './octez-watermark-files.js';
import { highestPerKey } from './raise-marks.js';
import { parseSignatoryWatermarkFile } from './signatory-watermark-files.js';

const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const HASH = 'ab'.repeat(32);
const octez = (mark: object, chain = 'NetXdQprcVkpaWU', pkh = PKH) => JSON.stringify({ [chain]: { [pkh]: mark } });

describe('octez watermark files', () => {
  it('refuses, naming the file and the place, what octez would not have written', () => {
    const refused = (text: string) => thrownMessage('BAD_REQUEST', () => parseOctezWatermarkFile(text, 'block_high_watermarks', 'block'));
    expect(refused('[')).toBe('block_high_watermarks: not JSON (Unexpected end of input found. (1:1))');
    expect(refused('[]')).toContain('not an object of chain ids');
    expect(refused(octez({ level: 1, round: 0, hash: HASH }, 'NetXbad'))).toContain('NetXbad is not a chain id');
    expect(refused(octez({ level: 1, round: 0, hash: HASH }, 'NetXdQprcVkpaWU', 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi'))).toContain('not a tz1–tz4 address');
    expect(refused(octez({ level: -1, round: 0, hash: HASH }))).toContain('level must be a non-negative int32');
    expect(refused(octez({ level: 1, round: 2 ** 31, hash: HASH }))).toContain('round');
    expect(refused(octez({ level: 1, round: 0, hash: 'abc' }))).toContain('hash must be 64 hex digits');
    expect(refused(octez({ level: 1, round: 0, hash: HASH, signature: 'edsigNope' }))).toContain('not a b58 signature');
  });

  it('refuses a mark whose own field is written twice, or unknown, as octez refuses such a file', () => {
    const refused = (text: string) => thrownMessage('BAD_REQUEST', () => parseOctezWatermarkFile(text, 'block_high_watermarks', 'block'));
    expect(refused(`{"NetXdQprcVkpaWU": {"${PKH}": {"level": 9, "round": 0, "hash": "${HASH}", "level": 1}}}`)).toContain('"level" is written twice (lines 1 and 1)');
    expect(refused(octez({ level: 1, round: 0, hash: HASH, lvl: 2 }))).toContain('unknown field "lvl"');
    expect(refused('{"NetXdQprcVkpaWU": {}} // octez writes no comment')).toContain('not JSON');
  });

  it('reads a chain or key written twice as both marks, says so, and the higher is what is raised', () => {
    const text = [
      '{',
      `  "NetXdQprcVkpaWU": {"${PKH}": {"level": 900, "round": 1, "hash": "${HASH}"}},`,
      `  "NetXdQprcVkpaWU": {"${PKH}": {"level": 800, "round": 4, "hash": "${HASH}"},`,
      `                      "${PKH}": {"level": 950, "round": 0, "hash": "${HASH}"}}`,
      '}',
    ].join('\n');
    const { marks, notes } = parseOctezWatermarkFile(text, 'block_high_watermarks', 'block');
    expect(marks.map((m) => m.mark.level)).toEqual([900, 800, 950]);
    expect(notes).toEqual([
      'block_high_watermarks: chain NetXdQprcVkpaWU is written twice (lines 2 and 3): octez reads the first only; the marks of both are read, the higher kept per key',
      `block_high_watermarks: NetXdQprcVkpaWU ${PKH} is written twice (lines 2 and 3): octez reads the first; the higher is kept`,
      `block_high_watermarks: NetXdQprcVkpaWU ${PKH} is written twice (lines 2 and 4): octez reads the first; the higher is kept`,
    ]);
    expect(highestPerKey(entriesOfOctezMarks(marks))).toEqual([{ key: { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'block' }, watermark: { level: 950, round: 0, hash: HASH } }]);
  });

  it('takes a mark without a round (Emmy) as its whole level, an endorsement one for attestations too, and leaves legacy endorsements out of an export', () => {
    const { marks } = parseOctezWatermarkFile(octez({ level: 7, hash: HASH, signature: null }), 'endorsement_high_watermarks', 'attestation');
    const entries = entriesOfOctezMarks(marks);
    const whole = { level: 7, round: WHOLE_LEVEL, hash: HASH };
    expect(WHOLE_LEVEL).toBe(2 ** 31 - 1);
    expect(entries).toEqual([
      { key: { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'attestation' }, watermark: whole },
      { key: { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'legacy_endorsement' }, watermark: whole },
    ]);
    const { files, left } = serializeOctezWatermarkFiles(entries);
    expect([[...files.keys()], left]).toEqual([['attestation_high_watermarks'], [entries[1]]]);
    const [block] = entriesOfOctezMarks(parseOctezWatermarkFile(octez({ level: 7, hash: HASH }), 'block_high_watermarks', 'block').marks);
    expect(block).toEqual({ key: { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'block' }, watermark: whole });
  });
});

describe('highestPerKey', () => {
  const key = { chainId: 'NetXdQprcVkpaWU', pkh: PKH, kind: 'block' as const };
  const at = (level: number, round: number, hash: string, signature?: string) => ({ key, watermark: { level, round, hash, ...(signature === undefined ? {} : { signature }) } });
  it('keeps the highest; at one position the signed one of the same bytes, and for different bytes a mark that matches none', () => {
    expect(highestPerKey([at(5, 1, HASH), at(6, 0, HASH), at(5, 9, HASH)])).toEqual([at(6, 0, HASH)]);
    expect(highestPerKey([at(6, 0, HASH), at(6, 0, HASH, 'edsigA')])).toEqual([at(6, 0, HASH, 'edsigA')]);
    expect(highestPerKey([at(6, 0, HASH, 'edsigA'), at(6, 0, 'cd'.repeat(32), 'edsigB')])).toEqual([at(6, 0, UNKNOWN_HASH)]);
    expect(highestPerKey([at(6, 0, HASH, 'edsigA'), at(6, 0, 'cd'.repeat(32)), at(7, 0, HASH)])).toEqual([at(7, 0, HASH)]);
  });
});

describe("the baker's own high-watermark file", () => {
  const marks = (level: number, round: number) => [{ delegate: PKH, highwatermark: { round, level } }];
  const file = (lists: object) => JSON.stringify(lists);
  it('reads every list of the chain its name begins with, old names too, with no hash', () => {
    const { chainId, entries, notes } = parseOctezBakerFile(
      file({ blocks: marks(10, 1), preendorsements: marks(11, 0), endorsements: [...marks(9, 0), ...marks(11, 2)] }),
      'dir/NetXnHfVqm9ie_highwatermarks',
      'NetXnHfVqm9ie_highwatermarks',
    );
    expect(chainId).toBe('NetXnHfVqm9iesp');
    expect(entries.map(({ key, watermark }) => [key.kind, watermark.level, watermark.round, watermark.hash])).toEqual([
      ['block', 10, 1, UNKNOWN_HASH],
      ['preattestation', 11, 0, UNKNOWN_HASH],
      ['attestation', 9, 0, UNKNOWN_HASH],
      ['attestation', 11, 2, UNKNOWN_HASH],
    ]);
    expect(entries.every((e) => e.key.chainId === 'NetXnHfVqm9iesp' && e.key.pkh === PKH)).toBe(true);
    expect(notes).toEqual([`dir/NetXnHfVqm9ie_highwatermarks: endorsements lists ${PKH} twice: the higher is kept`]);
  });

  it('refuses what octez would not have written, naming the file and the place', () => {
    const refused = (text: string, name = 'NetXdQprcVkpa_highwatermarks') => thrownMessage('BAD_REQUEST', () => parseOctezBakerFile(text, `dir/${name}`, name));
    const all = { preattestations: [], attestations: [] };
    expect(refused(file({ ...all, blocks: marks(1, 0) }), 'NetXdQprcVkpb_highwatermarks')).toContain('no chain id begins with NetXdQprcVkpb');
    expect(refused(file({ blocks: [], attestations: [] }))).toContain('three lists');
    expect(refused(file({ ...all, blocks: [], votes: [] }))).toContain('unknown list "votes"');
    expect(refused(file({ ...all, blocks: [{ delegate: 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi', highwatermark: { round: 0, level: 1 } }] }))).toContain('blocks, entry 1');
    expect(refused(file({ ...all, blocks: [{ delegate: PKH, highwatermark: { round: -1, level: 1 } }] }))).toContain('non-negative int32');
    expect(refused('{"blocks": [], "blocks": [], "preattestations": [], "attestations": []}')).toContain('"blocks" is written twice');
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
