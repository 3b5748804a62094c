import { UNKNOWN_HASH } from '@tezsigner/core';
import type { WatermarkEntry, WatermarkKind } from '@tezsigner/core';
import { checkImplicitAddress, faultIn, isInt32Mark, type Fault } from './json-fields.js';
import { fieldsOf, objectOf, parseJsonMembers, type JsonValue } from './json-members.js';
import { SHORT_CHAIN_ID, chainIdOfShort } from './short-chain-id.js';

/**
 * The baker's own high watermarks, which octez-baker keeps in the octez-client base directory
 * when it signs with local keys (src/proto_*\/lib_delegate/baking_highwatermarks.ml): one file
 * per chain, `<chain>_highwatermarks` (baking_files.ml: Chain_id.pp_short, the chain id's first
 * 13 characters, `_highwatermark`, and the wallet's `s`), holding
 * `{blocks, preattestations, attestations: [{delegate, highwatermark: {round, level}}]}`, the
 * delegate being the consensus key that signs. Bakers of protocols before Oxford wrote
 * `preendorsements` and `endorsements`. No hash and no signature: the baker refuses anything at
 * or below a mark, so the marks are raised with UNKNOWN_HASH, which refuses even the identical
 * request.
 */
export const BAKER_FILE = /^(Net[1-9A-HJ-NP-Za-km-z]{10})_highwatermarks$/;

const LISTS: Readonly<Record<string, WatermarkKind>> = {
  blocks: 'block',
  preattestations: 'preattestation',
  attestations: 'attestation',
  preendorsements: 'preattestation',
  endorsements: 'attestation',
};

export function parseOctezBakerFile(text: string, file: string, fileName: string): { chainId: string; entries: WatermarkEntry[]; notes: string[] } {
  const bad = faultIn(file);
  const short = BAKER_FILE.exec(fileName)?.[1] ?? '';
  const chainId = SHORT_CHAIN_ID.test(short) ? chainIdOfShort(short) : undefined;
  if (chainId === undefined) throw bad(`no chain id begins with ${short}, which octez names this file after`);
  const lists = fieldsOf(objectOf(parseJsonMembers(text, bad), bad, 'not an object of blocks, preattestations and attestations'), bad);
  const entries: WatermarkEntry[] = [];
  const notes: string[] = [];
  for (const [name, list] of Object.entries(lists)) {
    const kind = LISTS[name];
    if (kind === undefined) throw bad(`unknown list "${name}" (octez writes blocks, preattestations and attestations; before protocol Oxford, preendorsements and endorsements)`);
    if (!Array.isArray(list)) throw bad(`${name}: not a list`);
    const seen = new Set<string>();
    for (const [index, item] of (list as readonly JsonValue[]).entries()) {
      const { delegate, level, round } = markOf(item, (why) => bad(`${name}, entry ${index + 1}: ${why}`));
      // octez's map keeps the last of a delegate listed twice; the higher is kept here (highestPerKey)
      if (seen.has(delegate)) notes.push(`${file}: ${name} lists ${delegate} twice: the higher is kept`);
      seen.add(delegate);
      entries.push({ key: { chainId, pkh: delegate, kind }, watermark: { level, round, hash: UNKNOWN_HASH } });
    }
  }
  const kinds = new Set(Object.keys(lists).map((name) => LISTS[name]));
  if (kinds.size !== 3) throw bad('octez writes three lists (blocks, preattestations, attestations), each once: this is not its file');
  return { chainId, entries, notes };
}

function markOf(item: JsonValue, bad: Fault): { delegate: string; level: number; round: number } {
  const { delegate, highwatermark, ...rest } = fieldsOf(objectOf(item, bad, 'not an object {delegate, highwatermark}'), bad);
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw bad(`unknown field "${unknown}"`);
  if (typeof delegate !== 'string') throw bad('delegate must be a tz1–tz4 address');
  checkImplicitAddress(delegate, bad);
  const { level, round, ...more } = fieldsOf(objectOf(highwatermark ?? null, bad, 'highwatermark must be an object {round, level}'), bad);
  const other = Object.keys(more)[0];
  if (other !== undefined) throw bad(`${delegate}: unknown field "${other}" in highwatermark`);
  if (!isInt32Mark(level) || !isInt32Mark(round)) throw bad(`${delegate}: level and round must be non-negative int32`);
  return { delegate, level, round };
}
