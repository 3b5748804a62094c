// Readers for the field encodings operations are made of (octez `operation_repr.ml` and
// the encodings it uses). They check shape and lengths only: enough to find where each
// operation ends, so the kinds of a batch are reported truthfully.
import { b58cEncode } from './base58.js';
import { readMicheline } from './request-micheline.js';
import { hex2, type RequestReader } from './request-reader.js';

// Data_encoding `check_size 10` on tez amounts, gas and storage limits.
const MAX_BOUNDED_NATURAL = 10;

/** Public key lengths by binary tag: Ed25519, secp256k1, P-256, BLS, ML-DSA-44 (tz5). */
const PUBLIC_KEY_LENGTHS: readonly number[] = [32, 33, 33, 48, 1312];
/** Address tags 0..4: tz1, tz2, tz3, tz4, tz5; each followed by a 20-byte hash. */
const ADDRESS_TAGS = 5;
const HASH_LENGTH = 20;
const BLS_SIGNATURE_LENGTH = 96;
const BRANCH_LENGTH = 32;

/** Named entrypoints with a one-byte code (octez `Entrypoint_repr.smart_encoding`). */
const BUILTIN_ENTRYPOINTS: readonly string[] = [
  'default',
  'root',
  'do',
  'set_delegate',
  'remove_delegate',
  'deposit',
  'stake',
  'unstake',
  'finalize_unstake',
  'set_delegate_parameters',
];
const MAX_ENTRYPOINT_LENGTH = 31;

/** The b58 `B…` hash of the block an operation (consensus ones too) is branched on. */
export function readBranch(reader: RequestReader): string {
  return b58cEncode(reader.bytesOf(BRANCH_LENGTH, 'branch'), 'B');
}

export function readImplicitAddress(reader: RequestReader, what: string): void {
  const at = reader.offset;
  const tag = reader.u8(`address tag of ${what}`);
  if (tag >= ADDRESS_TAGS) reader.fail(`${what} at byte ${at} has unknown address tag ${tag}`);
  reader.skip(HASH_LENGTH, what);
}

export function readOptionalImplicitAddress(reader: RequestReader, what: string): void {
  if (reader.presence(what)) readImplicitAddress(reader, what);
}

export function readPublicKey(reader: RequestReader, what: string): void {
  const at = reader.offset;
  const tag = reader.u8(`key tag of ${what}`);
  const length = PUBLIC_KEY_LENGTHS[tag];
  if (length === undefined) reader.fail(`${what} at byte ${at} has unknown public key tag ${tag}`);
  reader.skip(length, what);
}

/** Contract_repr: tag 0 + implicit address, or tag 1 + KT1 hash + one padding byte. */
export function readContract(reader: RequestReader, what: string): void {
  const at = reader.offset;
  const tag = reader.u8(`contract tag of ${what}`);
  if (tag === 0) return readImplicitAddress(reader, what);
  if (tag === 1) return readOriginatedBody(reader, what);
  reader.fail(`${what} at byte ${at} has unknown contract tag ${tag}`);
}

export function readOriginatedContract(reader: RequestReader, what: string): void {
  const at = reader.offset;
  const tag = reader.u8(`contract tag of ${what}`);
  if (tag !== 1) reader.fail(`${what} at byte ${at} must be an originated (KT1) contract, got contract tag ${tag}`);
  readOriginatedBody(reader, what);
}

function readOriginatedBody(reader: RequestReader, what: string): void {
  reader.skip(HASH_LENGTH, what);
  const at = reader.offset;
  if (reader.u8(`padding of ${what}`) !== 0) reader.fail(`padding byte of ${what} at byte ${at} is not zero`);
}

/** Script_repr.lazy_expr: a length-prefixed Micheline expression, checked to fill its length. */
export function readLazyExpression(reader: RequestReader, what: string): void {
  const inner = reader.sizedReader(what);
  readMicheline(inner);
  inner.end();
}

export function readTez(reader: RequestReader, what: string): void {
  reader.natural(what, MAX_BOUNDED_NATURAL);
}

/** Entrypoint_repr.smart_encoding: a builtin code, or 0xff, a length byte and the name. */
export function readSmartEntrypoint(reader: RequestReader): string {
  const at = reader.offset;
  const tag = reader.u8('entrypoint');
  const builtin = BUILTIN_ENTRYPOINTS[tag];
  if (builtin !== undefined) return builtin;
  if (tag !== 0xff) reader.fail(`unknown entrypoint tag 0x${hex2(tag)} at byte ${at}`);
  const length = reader.u8('entrypoint name length');
  return entrypointName(reader, length, at);
}

/** Entrypoint_repr.simple_encoding: a 4-byte length and the name. */
export function readSimpleEntrypoint(reader: RequestReader): string {
  const at = reader.offset;
  const length = reader.u32('entrypoint name length');
  return entrypointName(reader, length, at);
}

function entrypointName(reader: RequestReader, length: number, at: number): string {
  if (length > MAX_ENTRYPOINT_LENGTH) reader.fail(`entrypoint name at byte ${at} is longer than ${MAX_ENTRYPOINT_LENGTH} bytes`);
  const name = String.fromCharCode(...reader.bytesOf(length, 'entrypoint name'));
  // octez reads an empty name as the default entrypoint
  return name === '' ? 'default' : name;
}

/** The optional BLS proof of possession carried by reveal and key updates of tz4 keys. */
export function readOptionalBlsProof(reader: RequestReader, what: string): void {
  if (!reader.presence(what)) return;
  const at = reader.offset;
  const proof = reader.sized(what);
  if (proof.length !== BLS_SIGNATURE_LENGTH) {
    reader.fail(`${what} at byte ${at} must be ${BLS_SIGNATURE_LENGTH} bytes, got ${proof.length}`);
  }
}

/** source, fee, counter, gas limit, storage limit: what every manager operation starts with. */
export function readManagerHeader(reader: RequestReader): void {
  readImplicitAddress(reader, 'source');
  readTez(reader, 'fee');
  reader.natural('counter');
  reader.natural('gas limit', MAX_BOUNDED_NATURAL);
  reader.natural('storage limit', MAX_BOUNDED_NATURAL);
}

/** A list whose total byte length comes first, each item read by `item` until it is used up. */
export function readSizedList(reader: RequestReader, what: string, item: (items: RequestReader) => void): number {
  const items = reader.sizedReader(what);
  let count = 0;
  while (items.remaining > 0) {
    item(items);
    count++;
  }
  return count;
}

export { HASH_LENGTH };
