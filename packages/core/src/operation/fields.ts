// Readers for the field encodings operations are made of (octez `operation_repr.ml` and the
// encodings it uses). Each checks shape and length and returns the value in the form a person
// reads (base58, decimal, hex), so what is reported is exactly what will be signed.
import { b58cEncode } from '../encoding/base58.js';
import { CURVES } from '../curve.js';
import { bytesToHex } from '../encoding/hex.js';
import type { MichelsonExpression } from '../micheline/expression.js';
import type { ManagerFields } from './manager-fields.js';
import { CURVE_PREFIXES, type PrefixName } from '../encoding/prefixes.js';
import { decodeMicheline, latin1 } from '../micheline/decode.js';
import { hex2, type RequestReader } from '../request/reader.js';

// Data_encoding `check_size 10` on tez amounts, gas and storage limits.
const MAX_BOUNDED_NATURAL = 10;

// Key and address tag 4 is tz5 (ML-DSA-44): octez knows it, but its base58 prefixes are not in
// this signer's table, so such a key or address is refused by name rather than shown wrongly.
const TZ5_TAG = 4;
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

/** A fixed-length hash as base58 text with `prefix`. */
export function readHash(reader: RequestReader, prefix: PrefixName, length: number, what: string): string {
  return b58cEncode(reader.bytesOf(length, what), prefix);
}

export function readHex(reader: RequestReader, length: number, what: string): string {
  return bytesToHex(reader.bytesOf(length, what));
}

export function readSizedHex(reader: RequestReader, what: string): string {
  return bytesToHex(reader.sized(what));
}

/** public_key_hash: tag 0..3 (tz1..tz4) and the 20-byte hash. */
export function readImplicitAddress(reader: RequestReader, what: string): string {
  const at = reader.offset;
  const tag = reader.u8(`address tag of ${what}`);
  const curve = CURVES[tag];
  if (curve === undefined) {
    reader.fail(`${what} at byte ${at} has ${tag === TZ5_TAG ? 'address tag 4 (tz5), which this signer cannot show' : `unknown address tag ${tag}`}`);
  }
  return readHash(reader, CURVE_PREFIXES[curve].address, HASH_LENGTH, what);
}

export function readOptionalImplicitAddress(reader: RequestReader, what: string): string | undefined {
  return reader.presence(what) ? readImplicitAddress(reader, what) : undefined;
}

/** public_key: tag 0..3 and the key bytes (shown, not checked to be a curve point). */
export function readPublicKey(reader: RequestReader, what: string): string {
  const at = reader.offset;
  const tag = reader.u8(`key tag of ${what}`);
  const curve = CURVES[tag];
  if (curve === undefined) {
    reader.fail(`${what} at byte ${at} has ${tag === TZ5_TAG ? 'key tag 4 (tz5), which this signer cannot show' : `unknown public key tag ${tag}`}`);
  }
  const { publicKey, publicKeyLength } = CURVE_PREFIXES[curve];
  return readHash(reader, publicKey, publicKeyLength, what);
}

/** Contract_repr: tag 0 + implicit address, or tag 1 + KT1 hash + one padding byte. */
export function readContract(reader: RequestReader, what: string): string {
  const at = reader.offset;
  const tag = reader.u8(`contract tag of ${what}`);
  if (tag === 0) return readImplicitAddress(reader, what);
  if (tag === 1) return readOriginatedBody(reader, what);
  return reader.fail(`${what} at byte ${at} has unknown contract tag ${tag}`);
}

export function readOriginatedContract(reader: RequestReader, what: string): string {
  const at = reader.offset;
  const tag = reader.u8(`contract tag of ${what}`);
  if (tag !== 1) reader.fail(`${what} at byte ${at} must be an originated (KT1) contract, got contract tag ${tag}`);
  return readOriginatedBody(reader, what);
}

function readOriginatedBody(reader: RequestReader, what: string): string {
  const address = readHash(reader, 'KT1', HASH_LENGTH, what);
  const at = reader.offset;
  if (reader.u8(`padding of ${what}`) !== 0) reader.fail(`padding byte of ${what} at byte ${at} is not zero`);
  return address;
}

/** Script_repr.lazy_expr: a length-prefixed Micheline expression, checked to fill its length. */
export function readLazyExpression(reader: RequestReader, what: string): MichelsonExpression {
  const inner = reader.sizedReader(what);
  const size = inner.remaining;
  const expression = decodeMicheline(inner);
  inner.end();
  return { expression, size };
}

/** Tez_repr: mutez as a zarith natural of at most 10 bytes. */
export function readTez(reader: RequestReader, what: string): bigint {
  return reader.natural(what, MAX_BOUNDED_NATURAL);
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
  const name = latin1(reader.bytesOf(length, 'entrypoint name'));
  // octez reads an empty name as the default entrypoint
  return name === '' ? 'default' : name;
}

/** The optional BLS proof of possession carried by reveal and key updates of tz4 keys. */
export function readOptionalBlsProof(reader: RequestReader, what: string): string | undefined {
  if (!reader.presence(what)) return undefined;
  const at = reader.offset;
  const proof = reader.sized(what);
  if (proof.length !== BLS_SIGNATURE_LENGTH) {
    reader.fail(`${what} at byte ${at} must be ${BLS_SIGNATURE_LENGTH} bytes, got ${proof.length}`);
  }
  return b58cEncode(proof, 'BLsig');
}

/** source, fee, counter, gas limit, storage limit: what every manager operation starts with. */
export function readManagerHeader(reader: RequestReader): ManagerFields {
  return {
    source: readImplicitAddress(reader, 'source'),
    fee: readTez(reader, 'fee'),
    counter: reader.natural('counter'),
    gasLimit: reader.natural('gas limit', MAX_BOUNDED_NATURAL),
    storageLimit: reader.natural('storage limit', MAX_BOUNDED_NATURAL),
  };
}

/** A one-byte tag naming one of `values` (an enumeration, a union's case); any other is refused by number. */
export function readEnumerated<T>(reader: RequestReader, what: string, values: readonly T[]): T {
  const at = reader.offset;
  const index = reader.u8(what);
  const value = values[index];
  if (value === undefined) reader.fail(`${what} at byte ${at} is ${index}, not one of 0..${values.length - 1}`);
  return value;
}

/** A list whose total byte length comes first, each item read by `item` until it is used up. */
export function readSizedList<T>(reader: RequestReader, what: string, item: (items: RequestReader) => T): T[] {
  const items = reader.sizedReader(what);
  const list: T[] = [];
  while (items.remaining > 0) list.push(item(items));
  return list;
}

export { HASH_LENGTH };
