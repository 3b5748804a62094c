import { badRequest } from './errors.js';

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
   * A zarith natural (7 bits a byte, high bit = more follows). Only its shape is checked:
   * terminated, canonical (no trailing zero group) and at most `maxBytes` long.
   */
  natural(what: string, maxBytes = Number.POSITIVE_INFINITY): void {
    this.zarith(what, maxBytes);
  }

  /** A zarith integer: like `natural` with a sign bit (0x40) in the first byte. */
  integer(what: string, options: { nonNegative?: boolean } = {}): void {
    const at = this.offset;
    this.zarith(what, Number.POSITIVE_INFINITY);
    if (options.nonNegative === true && ((this.bytes[at - this.base] as number) & 0x40) !== 0) {
      this.fail(`${what} at byte ${at} is negative`);
    }
  }

  private zarith(what: string, maxBytes: number): void {
    const start = this.offset;
    let byte: number;
    do {
      byte = this.u8(what);
      if (this.offset - start > maxBytes) this.fail(`${what} at byte ${start} is longer than ${maxBytes} bytes`);
    } while ((byte & 0x80) !== 0);
    // A last group of zero bits after the first byte is a second encoding of the same number.
    if (byte === 0 && this.offset - start > 1) this.fail(`${what} at byte ${start} is not canonical (trailing zero byte)`);
  }

  /** Refuses anything after the end of the structure just read. */
  end(): void {
    if (this.remaining > 0) {
      this.fail(`${this.remaining} unexpected trailing byte${this.remaining === 1 ? '' : 's'} at byte ${this.offset}`);
    }
  }
}

export const hex2 = (byte: number): string => byte.toString(16).padStart(2, '0');
