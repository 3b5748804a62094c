import { decodeSignature } from '@tezsigner/core';
import type { StoredWatermark, WatermarkEntry, WatermarkKind } from '@tezsigner/core';
import { checkChainId, checkImplicitAddress, faultIn, isInt32Mark, isObject, jsonObjectOf, type Fault } from './json-fields.js';

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

/**
 * The marks of one octez file, all or nothing. A mark without a round was written for an Emmy
 * request (0x01 block, 0x02 endorsement), which this signer marks at round 0: a block stays a
 * block, an endorsement becomes a legacy endorsement.
 */
export function parseOctezWatermarkFile(text: string, file: string, kind: WatermarkKind): WatermarkEntry[] {
  const bad = faultIn(file);
  const document = jsonObjectOf(text, bad, 'chain ids');
  const entries: WatermarkEntry[] = [];
  for (const [chainId, marks] of Object.entries(document)) {
    checkChainId(chainId, bad);
    if (!isObject(marks)) throw bad(`${chainId}: not an object of keys`);
    for (const [pkh, raw] of Object.entries(marks)) {
      const where = `${chainId} ${pkh}`;
      checkImplicitAddress(pkh, (why) => bad(`${chainId} ${why}`));
      const { watermark, hasRound } = markOf(raw, (why) => bad(`${where}: ${why}`));
      entries.push({ key: { chainId, pkh, kind: !hasRound && kind === 'attestation' ? 'legacy_endorsement' : kind }, watermark });
    }
  }
  return entries;
}

function markOf(raw: unknown, bad: Fault): { watermark: StoredWatermark; hasRound: boolean } {
  if (!isObject(raw)) throw bad('not an object');
  const { level, round, hash, signature } = raw;
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
  const hasRound = typeof round === 'number';
  return {
    watermark: { level, round: hasRound ? round : 0, hash: hash.toLowerCase(), ...(typeof signature === 'string' ? { signature } : {}) },
    hasRound,
  };
}

/** The files octez-signer reads back (v23 names), by file name; legacy endorsements have none and are left out. */
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
