import { describe, expect, it } from 'vitest';
import { DEFAULT_MAGIC_BYTES, describeMagicByte, parseMagicBytes, validateMagicBytes } from './magic-bytes.js';

describe('magic bytes', () => {
  it("defaults to a baker's 0x11, 0x12, 0x13", () => {
    expect(DEFAULT_MAGIC_BYTES).toEqual([0x11, 0x12, 0x13]);
  });

  it('parses the --magic-bytes option', () => {
    expect(parseMagicBytes('0x11,0x12,0x13')).toEqual([0x11, 0x12, 0x13]);
    expect(parseMagicBytes(' 0x01 , 0X02,0x01')).toEqual([0x01, 0x02]);
  });

  it('refuses bad lists with CONFIG_INVALID naming the item', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['0x1', /"0x1" is not a magic byte/],
      ['17', /"17" is not a magic byte/],
      ['0x11,,0x12', /"" is not a magic byte/],
      ['0x06', /unknown magic byte 0x06 in the allowlist; known: 0x01, 0x02, 0x03, 0x05, 0x11, 0x12, 0x13$/],
      ['0x11,0x04', /0x04 \(authentication\) cannot be allowed/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseMagicBytes(text), text).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
    }
    expect(() => validateMagicBytes([])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => validateMagicBytes([1.5])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('describes a byte for messages', () => {
    expect(describeMagicByte(0x12)).toBe('0x12 (preattestation)');
    expect(describeMagicByte(0xab)).toBe('0xab');
  });
});
