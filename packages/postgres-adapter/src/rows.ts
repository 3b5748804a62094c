import { WATERMARK_KINDS, badRequest, storeCorrupt } from '@tezsigner/core';
import type { StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkKind, WatermarkMark } from '@tezsigner/core';

/** A row of the watermarks table as node-postgres returns it. */
export interface WatermarkRow {
  readonly pkh: unknown;
  readonly chain_id: unknown;
  readonly kind: unknown;
  readonly level: unknown;
  readonly round: unknown;
  readonly hash: unknown;
  readonly signature: unknown;
}

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]{1,100}$/;
const HASH = /^[0-9a-fA-F]{64}$/;
const INT32_MAX = 2 ** 31 - 1;

const isKind = (kind: unknown): kind is WatermarkKind => typeof kind === 'string' && (WATERMARK_KINDS as readonly string[]).includes(kind);
const isMarkNumber = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= INT32_MAX;

/** The key's columns, checked before any statement: a bad key is the caller's mistake, not the database's. */
export function keyColumns(key: WatermarkKey): [pkh: string, chainId: string, kind: WatermarkKind] {
  if (!BASE58.test(key.chainId)) throw badRequest(`chain id ${JSON.stringify(key.chainId)} is not base58`);
  if (!BASE58.test(key.pkh)) throw badRequest(`key hash ${JSON.stringify(key.pkh)} is not base58`);
  if (!isKind(key.kind)) throw badRequest(`unknown watermark kind ${JSON.stringify(key.kind)}`);
  return [key.pkh, key.chainId, key.kind];
}

/** Refuses marks a row could not hold exactly, before anything is written. */
export function assertStorableMark(mark: WatermarkMark): void {
  if (!isMarkNumber(mark.level) || !isMarkNumber(mark.round)) {
    throw badRequest(`level ${mark.level} and round ${mark.round} must be integers in 0..${INT32_MAX}`);
  }
  if (typeof mark.hash !== 'string' || !HASH.test(mark.hash)) throw badRequest('a watermark hash must be 64 hex digits');
}

/**
 * Reads a row back, trusting nothing (its constraints could have been dropped and the row
 * edited by hand): a row we cannot read exactly is STORE_CORRUPT, never "absent".
 */
export function fromRow(row: WatermarkRow, where: string): WatermarkEntry {
  const { pkh, chain_id: chainId, kind, level, round, hash, signature } = row;
  const corrupt = (why: string) => storeCorrupt(`watermark row ${String(chainId)}/${String(pkh)}/${String(kind)} in ${where} is unreadable: ${why}`);
  if (typeof pkh !== 'string' || !BASE58.test(pkh) || typeof chainId !== 'string' || !BASE58.test(chainId) || !isKind(kind)) throw corrupt('bad key columns');
  if (!isMarkNumber(level) || !isMarkNumber(round)) throw corrupt('bad level or round');
  if (typeof hash !== 'string' || !HASH.test(hash)) throw corrupt('bad hash');
  if (signature !== null && (typeof signature !== 'string' || signature === '')) throw corrupt('bad signature');
  const watermark: StoredWatermark = { level, round, hash, ...(signature === null ? {} : { signature }) };
  return { key: { chainId, pkh, kind }, watermark };
}
