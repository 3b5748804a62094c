import { TezsignerError, WATERMARK_KINDS, badRequest } from '@tezsigner/core';
import type { StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkKind, WatermarkMark } from '@tezsigner/core';

/**
 * The shape of one watermark row. Each (chain, key, kind) is its own entity so that one
 * ETag guards exactly one watermark: instances contend only when they sign for the same one.
 * PartitionKey = pkh keeps a baker's rows together; RowKey = `<chainId>.<kind>`.
 * The key parts are repeated as properties so that `list()` never has to parse RowKeys.
 */
export interface WatermarkRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly FormatVersion: number;
  readonly ChainId: string;
  readonly Pkh: string;
  readonly Kind: string;
  readonly Level: number;
  readonly Round: number;
  readonly Hash: string;
  /** Absent until the signature is recorded ('Replace' updates drop absent properties). */
  readonly Signature?: string;
}

export const ROW_FORMAT_VERSION = 1;

// b58 only: never '/', '\\', '#', '?' or control characters, which Table keys forbid.
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{1,100}$/;
const HASH = /^[0-9a-fA-F]{64}$/;
const INT32_MAX = 2 ** 31 - 1;

function isKind(kind: unknown): kind is WatermarkKind {
  return typeof kind === 'string' && (WATERMARK_KINDS as readonly string[]).includes(kind);
}

function isMarkNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= INT32_MAX;
}

export function rowKeys(key: WatermarkKey): { partitionKey: string; rowKey: string } {
  if (!BASE58.test(key.chainId)) throw badRequest(`chain id ${JSON.stringify(key.chainId)} is not base58`);
  if (!BASE58.test(key.pkh)) throw badRequest(`key hash ${JSON.stringify(key.pkh)} is not base58`);
  if (!isKind(key.kind)) throw badRequest(`unknown watermark kind ${JSON.stringify(key.kind)}`);
  return { partitionKey: key.pkh, rowKey: `${key.chainId}.${key.kind}` };
}

/** Refuses marks a row could not hold exactly, before anything is written. */
export function assertStorableMark(mark: WatermarkMark): void {
  if (!isMarkNumber(mark.level) || !isMarkNumber(mark.round)) {
    throw badRequest(`level ${mark.level} and round ${mark.round} must be integers in 0..${INT32_MAX}`);
  }
  if (!HASH.test(mark.hash)) throw badRequest('a watermark hash must be 64 hex digits');
}

export function toRow(key: WatermarkKey, watermark: StoredWatermark): WatermarkRow {
  assertStorableMark(watermark);
  return {
    ...rowKeys(key),
    FormatVersion: ROW_FORMAT_VERSION,
    ChainId: key.chainId,
    Pkh: key.pkh,
    Kind: key.kind,
    Level: watermark.level,
    Round: watermark.round,
    Hash: watermark.hash,
    ...(watermark.signature === undefined ? {} : { Signature: watermark.signature }),
  };
}

function corrupt(entity: Record<string, unknown>, why: string): TezsignerError {
  const where = `${String(entity['partitionKey'])}/${String(entity['rowKey'])}`;
  return new TezsignerError('STORE_CORRUPT', `watermark row ${where} is unreadable: ${why}`);
}

/** Reads a row back, trusting nothing: a row we cannot read exactly is STORE_CORRUPT, never "absent". */
export function fromRow(entity: Record<string, unknown>): WatermarkEntry {
  const { FormatVersion, ChainId, Pkh, Kind, Level, Round, Hash, Signature } = entity;
  if (FormatVersion !== ROW_FORMAT_VERSION) throw corrupt(entity, `unknown format version ${String(FormatVersion)}`);
  if (typeof ChainId !== 'string' || typeof Pkh !== 'string' || !isKind(Kind)) throw corrupt(entity, 'bad key properties');
  const key: WatermarkKey = { chainId: ChainId, pkh: Pkh, kind: Kind };
  let keys: { partitionKey: string; rowKey: string };
  try {
    keys = rowKeys(key);
  } catch {
    throw corrupt(entity, 'bad key properties');
  }
  if (keys.partitionKey !== entity['partitionKey'] || keys.rowKey !== entity['rowKey']) {
    throw corrupt(entity, 'its properties do not match its PartitionKey/RowKey');
  }
  if (!isMarkNumber(Level) || !isMarkNumber(Round)) throw corrupt(entity, 'bad level or round');
  if (typeof Hash !== 'string' || !HASH.test(Hash)) throw corrupt(entity, 'bad hash');
  if (Signature !== undefined && (typeof Signature !== 'string' || Signature === '')) throw corrupt(entity, 'bad signature');
  const watermark: StoredWatermark = {
    level: Level,
    round: Round,
    hash: Hash,
    ...(Signature === undefined ? {} : { signature: Signature }),
  };
  return { key, watermark };
}
