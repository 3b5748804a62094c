import { UNKNOWN_HASH, b58cDecode, bytesToHex } from '@tezsigner/core';
import type { WatermarkEntry, WatermarkKind } from '@tezsigner/core';
import { checkChainId, checkImplicitAddress, faultIn, isInt32Mark, isObject, jsonObjectOf, type Fault } from './json-fields.js';

/**
 * Signatory's file watermarks (pkg/signatory/watermark/file.go): `watermark_v2/<chain id>.json`
 * in its base directory, each an object pkh → request kind → {level, round, hash}, the hash
 * b58 `vh…` of the request's BLAKE2b-256 (or null). Signatory keeps no signature.
 */
const KINDS: Readonly<Record<string, WatermarkKind>> = {
  block: 'block',
  preattestation: 'preattestation',
  attestation: 'attestation',
  preendorsement: 'preattestation',
  endorsement: 'attestation',
};

export const SIGNATORY_WATERMARK_DIR = 'watermark_v2';

export function parseSignatoryWatermarkFile(text: string, file: string, fileName: string): WatermarkEntry[] {
  const bad = faultIn(file);
  const chainId = fileName.replace(/\.json$/, '');
  checkChainId(chainId, bad);
  const document = jsonObjectOf(text, bad, 'keys');
  const entries: WatermarkEntry[] = [];
  for (const [pkh, requests] of Object.entries(document)) {
    checkImplicitAddress(pkh, bad);
    if (!isObject(requests)) throw bad(`${pkh}: not an object of request kinds`);
    for (const [name, raw] of Object.entries(requests)) {
      const kind = KINDS[name];
      if (kind === undefined) throw bad(`${pkh}: unknown request kind ${name}`);
      if (!isObject(raw)) throw bad(`${pkh} ${name}: not an object`);
      const { level, round, hash } = raw;
      if (!isInt32Mark(level) || !isInt32Mark(round)) throw bad(`${pkh} ${name}: level and round must be non-negative int32`);
      entries.push({ key: { chainId, pkh, kind }, watermark: { level, round, hash: hashOf(hash, (why) => bad(`${pkh} ${name}: ${why}`)) } });
    }
  }
  return entries;
}

function hashOf(hash: unknown, bad: Fault): string {
  if (hash === null || hash === undefined) return UNKNOWN_HASH;
  if (typeof hash !== 'string') throw bad('hash must be a vh… hash or null');
  try {
    return bytesToHex(b58cDecode(hash, 'vh', 'request hash').payload);
  } catch {
    throw bad(`hash ${hash} is not a vh… hash`);
  }
}
