// Writers of octez's binary layouts (Data_encoding as octez's `data-encoding/src/binary_writer.ml`
// writes them), for tests that lay out by hand the operations no independent forger makes; the
// base58 texts a decoder must give back come from Taquito's encoder.
import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';

export const u8 = (n: number): string => n.toString(16).padStart(2, '0');
export const u16 = (n: number): string => n.toString(16).padStart(4, '0');
export const u32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
/** int16 in two's complement */
export const i16 = (n: number): string => u16(n & 0xffff);
/** a 4-byte length, then the bytes (Data_encoding's dynamic_size: strings, bytes, lists) */
export const sized = (hex: string): string => `${u32(hex.length / 2)}${hex}`;

/** Data_encoding's n: 7 bits a byte, least significant first, high bit = more. */
export function natural(n: bigint): string {
  let out = '';
  do {
    const group = Number(n & 0x7fn);
    n >>= 7n;
    out += u8(group | (n > 0n ? 0x80 : 0));
  } while (n > 0n);
  return out;
}

/** Data_encoding's z: sign bit 0x40 and 6 bits in the first byte, then as n. */
export function integer(z: bigint): string {
  const magnitude = z < 0n ? -z : z;
  const rest = magnitude >> 6n;
  const first = Number(magnitude & 0x3fn) | (z < 0n ? 0x40 : 0) | (rest > 0n ? 0x80 : 0);
  return u8(first) + (rest > 0n ? natural(rest) : '');
}

export const hexOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString('hex'));
export const sizedHex = (maxLength = 64) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b).toString('hex'));
/** A fixed-length hash: its bytes and the base58 text octez shows. */
export const hashOf = (prefix: PrefixV2, length: number) => hexOf(length).map((hex) => ({ hex, text: b58Encode(hex, prefix) }));

const PKH_PREFIXES = [PrefixV2.Ed25519PublicKeyHash, PrefixV2.Secp256k1PublicKeyHash, PrefixV2.P256PublicKeyHash, PrefixV2.BLS12_381PublicKeyHash];
/** An implicit account: its binary form (tag 0..3, 20 bytes) and its base58 text. */
export const account = fc.tuple(fc.integer({ min: 0, max: 3 }), hexOf(20)).map(([tag, hash]) => ({ hex: `0${tag}${hash}`, text: b58Encode(hash, PKH_PREFIXES[tag] as PrefixV2) }));
export const smartRollup = hashOf(PrefixV2.SmartRollupHash, 20);

const amount = fc.bigInt({ min: 0n, max: 2n ** 70n - 1n });
/** The manager header: source, fee, counter, gas limit, storage limit. */
export const manager = fc.record({ source: account, fee: amount, counter: fc.bigInt({ min: 0n, max: 2n ** 100n }), gasLimit: amount, storageLimit: amount });
export type Manager = typeof manager extends fc.Arbitrary<infer T> ? T : never;
export const managerHex = (m: Manager): string => `${m.source.hex}${natural(m.fee)}${natural(m.counter)}${natural(m.gasLimit)}${natural(m.storageLimit)}`;
export const managerFields = (m: Manager) => ({ source: m.source.text, fee: m.fee, counter: m.counter, gasLimit: m.gasLimit, storageLimit: m.storageLimit });
/** A fixed manager header: tz1 source 0x11…, fee 0, counter 0, limits 0. */
export const SOME_MANAGER_HEX = `00${'11'.repeat(20)}00000000`;

/** A value and the bytes octez writes for it, built together so a test can assemble layouts. */
export interface Laid<T> {
  readonly hex: string;
  readonly value: T;
}
