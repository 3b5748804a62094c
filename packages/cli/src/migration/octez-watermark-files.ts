import { decodeSignature } from '@tezsigner/core';
import type { StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkKind } from '@tezsigner/core';
import { checkChainId, checkImplicitAddress, faultIn, isInt32Mark, type Fault } from './json-fields.js';
import { fieldsOf, objectOf, parseJsonMembers, type JsonValue } from './json-members.js';

/**
 * octez-signer's high-watermark files (src/bin_signer/handler.ml, High_watermark): one per kind
 * in the base directory, named `<kind>_high_watermark` plus the `s` octez's wallet adds to every
 * alias file (client_context_unix.ml), each an object chain id → pkh → {level, round (optional),
 * hash (hex BLAKE2b-256 of the request), signature (optional)}. Octez v23 renamed
 * (pre)endorsement to (pre)attestation; both generations, with or without the `s`, are read.
 */
export const OCTEZ_WATERMARK_FILES: readonly { readonly name: string; readonly kind: WatermarkKind }[] = [
  { name: 'block_high_watermark', kind: 'block' },
  { name: 'preattestation_high_watermark', kind: 'preattestation' },
  { name: 'attestation_high_watermark', kind: 'attestation' },
  { name: 'preendorsement_high_watermark', kind: 'preattestation' },
  { name: 'endorsement_high_watermark', kind: 'attestation' },
];

/** the names octez v23 and later write, and read back */
const EXPORT_FILES: Readonly<Partial<Record<WatermarkKind, string>>> = {
  block: 'block_high_watermarks',
  preattestation: 'preattestation_high_watermarks',
  attestation: 'attestation_high_watermarks',
};

/** what octez before v23 names the same files (it reads no other: src/bin_signer/handler.ml before MR !18481) */
export const OCTEZ_BEFORE_V23_NAMES: Readonly<Record<string, string>> = {
  preattestation_high_watermarks: 'preendorsement_high_watermarks',
  attestation_high_watermarks: 'endorsement_high_watermarks',
};

/**
 * The round given to a mark that covers its whole level: octez writes no round for an Emmy
 * request (0x01 block, 0x02 endorsement) and then refuses every other request at that level.
 */
export const WHOLE_LEVEL = 0x7fffffff;

/** One mark as an octez file holds it, and where. */
export interface OctezMark {
  readonly file: string;
  /** the file's kind: block, preattestation or attestation */
  readonly key: WatermarkKey;
  /** round 0 when none is written; the signature octez stored, if any */
  readonly mark: StoredWatermark;
  /** written without a round (an Emmy request): it covers its whole level */
  readonly wholeLevel: boolean;
}

/**
 * The marks of one octez file, all or nothing. A chain or a key written twice is read as octez
 * does not: octez takes the first (List.assoc_opt in handler.ml), this import takes both and
 * keeps the higher (see highestPerKey), never a lower one than octez had; each is named in
 * `notes`. A mark's own field written twice is refused, as octez refuses that file.
 */
export function parseOctezWatermarkFile(text: string, file: string, kind: WatermarkKind): { marks: OctezMark[]; notes: string[] } {
  const bad = faultIn(file);
  const document = objectOf(parseJsonMembers(text, bad), bad, 'not an object of chain ids');
  const marks: OctezMark[] = [];
  const notes: string[] = [];
  const chainLines = new Map<string, number>();
  const keyLines = new Map<string, number>();
  for (const { name: chainId, value: keys, line } of document.members) {
    checkChainId(chainId, bad);
    const firstChain = chainLines.get(chainId);
    if (firstChain === undefined) chainLines.set(chainId, line);
    else notes.push(`${file}: chain ${chainId} is written twice (lines ${firstChain} and ${line}): octez reads the first only; the marks of both are read, the higher kept per key`);
    for (const { name: pkh, value, line: keyLine } of objectOf(keys, bad, `${chainId}: not an object of keys`).members) {
      checkImplicitAddress(pkh, (why) => bad(`${chainId} ${why}`));
      const where = `${chainId} ${pkh}`;
      const firstKey = keyLines.get(where);
      if (firstKey === undefined) keyLines.set(where, keyLine);
      else notes.push(`${file}: ${where} is written twice (lines ${firstKey} and ${keyLine}): octez reads the first; the higher is kept`);
      const { mark, wholeLevel } = markOf(value, (why) => bad(`${where}: ${why}`));
      marks.push({ file, key: { chainId, pkh, kind }, mark, wholeLevel });
    }
  }
  return { marks, notes };
}

function markOf(raw: JsonValue, bad: Fault): { mark: StoredWatermark; wholeLevel: boolean } {
  const { level, round, hash, signature, ...rest } = fieldsOf(objectOf(raw, bad, 'not an object'), bad);
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw bad(`unknown field "${unknown}" (octez writes level, round, hash, signature)`);
  if (!isInt32Mark(level)) throw bad('level must be a non-negative int32');
  if (round !== undefined && round !== null && !isInt32Mark(round)) throw bad('round, when present, must be a non-negative int32');
  if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) throw bad('hash must be 64 hex digits (BLAKE2b-256 of the signed bytes)');
  if (signature !== undefined && signature !== null) {
    try {
      decodeSignature(String(signature));
    } catch {
      throw bad('signature is not a b58 signature');
    }
  }
  const wholeLevel = typeof round !== 'number';
  return {
    mark: { level, round: wholeLevel ? 0 : round, hash: hash.toLowerCase(), ...(typeof signature === 'string' ? { signature } : {}) },
    wholeLevel,
  };
}

/**
 * The entries to raise for octez's marks. A mark that covers its whole level is raised to
 * round WHOLE_LEVEL, without its signature (no request sits at that round): every request at
 * its level is refused, as octez refuses them. octez kept its Emmy endorsements and its
 * attestations in one file, so such a mark there covers both kinds.
 */
export function entriesOfOctezMarks(marks: readonly OctezMark[]): WatermarkEntry[] {
  return marks.flatMap(({ key, mark, wholeLevel }): WatermarkEntry[] => {
    if (!wholeLevel) return [{ key, watermark: mark }];
    const watermark = { level: mark.level, round: WHOLE_LEVEL, hash: mark.hash };
    const kinds: WatermarkKind[] = key.kind === 'attestation' ? ['attestation', 'legacy_endorsement'] : [key.kind];
    return kinds.map((kind) => ({ key: { ...key, kind }, watermark }));
  });
}

/** The files octez-signer v23 and later read back, by file name; legacy endorsements have none and are left out. */
export function serializeOctezWatermarkFiles(entries: readonly WatermarkEntry[]): { files: Map<string, string>; left: WatermarkEntry[] } {
  const documents = new Map<string, Record<string, Record<string, object>>>();
  const left: WatermarkEntry[] = [];
  for (const entry of entries) {
    const name = EXPORT_FILES[entry.key.kind];
    if (name === undefined) {
      left.push(entry);
      continue;
    }
    const document = documents.get(name) ?? {};
    documents.set(name, document);
    const { level, round, hash, signature } = entry.watermark;
    (document[entry.key.chainId] ??= {})[entry.key.pkh] = { level, round, hash, ...(signature === undefined ? {} : { signature }) };
  }
  return { files: new Map([...documents].map(([name, document]) => [name, `${JSON.stringify(document, null, 2)}\n`])), left };
}
