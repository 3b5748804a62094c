import { TezsignerError, WATERMARK_KINDS, watermarkKeyId } from '@tezsigner/core';
import type { WatermarkEntry, WatermarkKind } from '@tezsigner/core';

/**
 * The file `tezsigner watermarks export` writes and `import` reads: every high watermark of a
 * store, flat, one object per (chain, key, kind). The entries have the shape of
 * `watermarks show --json`, whose output is accepted too.
 */
export const EXPORT_FORMAT = 'tezsigner-watermarks';
export const EXPORT_VERSION = 1;

interface FlatEntry {
  readonly chainId: string;
  readonly pkh: string;
  readonly kind: WatermarkKind;
  readonly level: number;
  readonly round: number;
  readonly hash: string;
  readonly signature?: string;
}

export function serializeExport(store: string, entries: readonly WatermarkEntry[]): string {
  const flat: FlatEntry[] = entries.map(({ key, watermark }) => ({
    chainId: key.chainId,
    pkh: key.pkh,
    kind: key.kind,
    level: watermark.level,
    round: watermark.round,
    hash: watermark.hash,
    ...(watermark.signature === undefined ? {} : { signature: watermark.signature }),
  }));
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, store, entries: flat }, null, 2)}\n`;
}

const isMarkNumber = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isText = (s: unknown): s is string => typeof s === 'string' && s !== '';

function entryOf(raw: unknown, where: string): WatermarkEntry {
  const bad = (why: string) => new TezsignerError('BAD_REQUEST', `${where}: ${why}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not an object');
  const { chainId, pkh, kind, level, round, hash, signature } = raw as Record<string, unknown>;
  if (!isText(chainId) || !isText(pkh)) throw bad('chainId and pkh must be non-empty strings');
  if (typeof kind !== 'string' || !(WATERMARK_KINDS as readonly string[]).includes(kind)) {
    throw bad(`kind must be one of ${WATERMARK_KINDS.join(', ')}`);
  }
  if (!isMarkNumber(level) || !isMarkNumber(round)) throw bad('level and round must be non-negative integers');
  if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) throw bad('hash must be 64 hex digits (BLAKE2b-256 of the signed bytes)');
  if (signature !== undefined && !isText(signature)) throw bad('signature, when present, must be a non-empty string');
  return {
    key: { chainId, pkh, kind: kind as WatermarkKind },
    watermark: { level, round, hash, ...(signature === undefined ? {} : { signature }) },
  };
}

/** Reads an export (or `watermarks show --json`), all or nothing: one bad entry refuses the file. */
export function parseExport(text: string, file: string): WatermarkEntry[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new TezsignerError('BAD_REQUEST', `${file} is not JSON`);
  }
  let list: unknown = document;
  if (!Array.isArray(document)) {
    const { format, version, entries } = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
    if (format !== EXPORT_FORMAT || version !== EXPORT_VERSION || !Array.isArray(entries)) {
      throw new TezsignerError('BAD_REQUEST', `${file} is not a tezsigner watermarks export (format ${EXPORT_FORMAT}, version ${EXPORT_VERSION})`);
    }
    list = entries;
  }
  const seen = new Map<string, number>();
  return (list as unknown[]).map((raw, index) => {
    const entry = entryOf(raw, `${file}, entry ${index + 1}`);
    const id = watermarkKeyId(entry.key);
    const first = seen.get(id);
    if (first !== undefined) throw new TezsignerError('BAD_REQUEST', `${file}, entry ${index + 1}: same chain, key and kind as entry ${first}`);
    seen.set(id, index + 1);
    return entry;
  });
}
