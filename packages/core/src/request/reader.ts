import { badRequest } from '../errors.js';

/**
 * A bounds-checked cursor over request bytes. Every read names what it reads, so a
 * malformed request is refused with BAD_REQUEST saying what was missing and where,
 * never with a RangeError or a silently short slice.
 */
export class RequestReader {
  private position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** what the bytes are, for messages ("block", "operation", …) */
    readonly subject: string,
    /** where `bytes` starts in the whole request, so messages give absolute positions */
    private readonly base = 0,
  ) {}

  /** absolute position in the whole request */
  get offset(): number {
    return this.base + this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  fail(problem: string): never {
    throw badRequest(`${this.subject}: ${problem}`);
  }

  private take(length: number, what: string): number {
    if (length > this.remaining) {
      this.fail(`truncated: ${what} needs ${length} byte${length === 1 ? '' : 's'} at byte ${this.offset}, ${this.remaining} left`);
    }
    const start = this.position;
    this.position += length;
    return start;
  }

  u8(what: string): number {
    return this.bytes[this.take(1, what)] as number;
  }

  u16(what: string): number {
    const at = this.take(2, what);
    return ((this.bytes[at] as number) << 8) | (this.bytes[at + 1] as number);
  }

  u32(what: string): number {
    const at = this.take(4, what);
    return (
      (this.bytes[at] as number) * 0x1000000 +
      (((this.bytes[at + 1] as number) << 16) | ((this.bytes[at + 2] as number) << 8) | (this.bytes[at + 3] as number))
    );
  }

  i32(what: string): number {
    const value = this.u32(what);
    return value >= 0x80000000 ? value - 0x100000000 : value;
  }

  /** An int32 the protocol requires to be non-negative (levels, rounds). */
  nonNegativeI32(what: string): number {
    const at = this.offset;
    const value = this.i32(what);
    if (value < 0) this.fail(`${what} at byte ${at} is negative (${value})`);
    return value;
  }

  /** Data_encoding's int16: big-endian, signed. */
  i16(what: string): number {
    const value = this.u16(what);
    return value >= 0x8000 ? value - 0x10000 : value;
  }

  /** Data_encoding's int31: four bytes holding a number of -2^30..2^30-1; octez refuses the rest. */
  int31(what: string): number {
    const at = this.offset;
    const value = this.i32(what);
    if (value < -INT31_BOUND || value >= INT31_BOUND) this.fail(`${what} at byte ${at} is ${value}, outside the 31-bit range`);
    return value;
  }

  /** Data_encoding's bool, as octez writes it: 0x00 false, 0xff true. */
  bool(what: string): boolean {
    const at = this.offset;
    const byte = this.u8(what);
    if (byte === 0x00) return false;
    if (byte === 0xff) return true;
    return this.fail(`${what} at byte ${at} is 0x${hex2(byte)}, expected 0x00 (false) or 0xff (true)`);
  }

  /**
   * Data_encoding's `option` value (not an optional field): tag 0 none, tag 1 some. Unlike an
   * optional field's 0x00/0xff, octez writes 0x01 here.
   */
  option(what: string): boolean {
    const at = this.offset;
    const tag = this.u8(`option tag of ${what}`);
    if (tag === 0) return false;
    if (tag === 1) return true;
    return this.fail(`option tag of ${what} at byte ${at} is ${tag}, expected 0 (none) or 1 (some)`);
  }

  bytesOf(length: number, what: string): Uint8Array {
    const at = this.take(length, what);
    return this.bytes.subarray(at, at + length);
  }

  skip(length: number, what: string): void {
    this.take(length, what);
  }

  /** Data_encoding's optional field: 0x00 absent, 0xff present, nothing else. */
  presence(what: string): boolean {
    const at = this.offset;
    const tag = this.u8(`presence flag of ${what}`);
    if (tag === 0x00) return false;
    if (tag === 0xff) return true;
    return this.fail(`presence flag of ${what} at byte ${at} is 0x${hex2(tag)}, expected 0x00 or 0xff`);
  }

  /** A 4-byte big-endian length, checked against what is left, then that many bytes. */
  sized(what: string): Uint8Array {
    return this.sizedReader(what).bytes;
  }

  /** Like `sized`, as a reader confined to those bytes, so inner reads cannot overrun them. */
  sizedReader(what: string): RequestReader {
    const at = this.offset;
    const length = this.u32(`length of ${what}`);
    if (length > this.remaining) {
      this.fail(`truncated: ${what} at byte ${at} declares ${length} bytes, ${this.remaining} left`);
    }
    const start = this.offset;
    return new RequestReader(this.bytesOf(length, what), this.subject, start);
  }

  /**
   * A zarith natural (7 bits a byte, least significant group first, high bit = more follows),
   * checked to be terminated, canonical (no trailing zero group) and at most `maxBytes` long.
   */
  natural(what: string, maxBytes = Number.POSITIVE_INFINITY): bigint {
    return groupsValue(this.zarith(what, maxBytes), 0);
  }

  /** A zarith integer: like `natural`, but the first byte holds a sign bit (0x40) and 6 bits. */
  integer(what: string, options: { nonNegative?: boolean } = {}): bigint {
    const at = this.offset;
    const groups = this.zarith(what, Number.POSITIVE_INFINITY);
    const first = groups[0] as number;
    if (options.nonNegative === true && (first & 0x40) !== 0) this.fail(`${what} at byte ${at} is negative`);
    const value = (groupsValue(groups, 1) << 6n) | BigInt(first & 0x3f);
    return (first & 0x40) !== 0 ? -value : value;
  }

  private zarith(what: string, maxBytes: number): Uint8Array {
    const start = this.position;
    let byte: number;
    do {
      byte = this.u8(what);
      if (this.position - start > maxBytes) this.fail(`${what} at byte ${this.base + start} is longer than ${maxBytes} bytes`);
    } while ((byte & 0x80) !== 0);
    // A last group of zero bits after the first byte is a second encoding of the same number.
    if (byte === 0 && this.position - start > 1) this.fail(`${what} at byte ${this.base + start} is not canonical (trailing zero byte)`);
    return this.bytes.subarray(start, this.position);
  }

  /** Refuses anything after the end of the structure just read. */
  end(): void {
    if (this.remaining > 0) {
      this.fail(`${this.remaining} unexpected trailing byte${this.remaining === 1 ? '' : 's'} at byte ${this.offset}`);
    }
  }
}

const INT31_BOUND = 0x40000000;

// Seven 7-bit groups fit a double exactly; shifting a bigint once per seven groups instead of once
// per group keeps a hostile many-kilobyte number cheap to read.
const GROUPS_PER_STEP = 7;

/** The number the 7-bit groups from `from` on spell, least significant group first. */
function groupsValue(groups: Uint8Array, from: number): bigint {
  let value = 0n;
  let i = groups.length - 1;
  while (i >= from) {
    let chunk = 0;
    let bits = 0;
    for (let n = 0; n < GROUPS_PER_STEP && i >= from; n++, i--) {
      chunk = chunk * 128 + ((groups[i] as number) & 0x7f);
      bits += 7;
    }
    value = (value << BigInt(bits)) | BigInt(chunk);
  }
  return value;
}

export const hex2 = (byte: number): string => byte.toString(16).padStart(2, '0');
