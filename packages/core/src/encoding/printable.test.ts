import { describe, expect, test } from 'vitest';
import { printable, quoted } from './printable.js';

describe('printable', () => {
  test('a label with a line break and a command stays on one line, its escapes visible', () => {
    expect(printable('baker\n; touch PWNED #')).toBe('baker\\n; touch PWNED #');
    expect(printable('a\r\tb')).toBe('a\\r\\tb');
  });

  test('terminal escapes, DEL, C1 controls, bidirectional overrides and separators are escaped', () => {
    expect(printable('\u001b[2Jx')).toBe('\\x1b[2Jx');
    expect(printable('\u007f\u0085\u009b')).toBe('\\x7f\\x85\\x9b');
    expect(printable('tz1\u202eevil')).toBe('tz1\\u{202e}evil');
    expect(printable('a\u200bb\u2028c\u2029d')).toBe('a\\u{200b}b\\u{2028}c\\u{2029}d');
    expect(printable('\ud800')).toBe('\\u{d800}');
  });

  test('a backslash is escaped too, so an escape in the output always means the character', () => {
    expect(printable('a\\nb')).toBe('a\\\\nb');
    expect(printable('a\\nb')).not.toBe(printable('a\nb'));
  });

  test('printable text, accented letters and emoji included, is kept as it is', () => {
    for (const text of ['baker-tz1', 'boulangère', 'ベーカー', 'key 🍞', '"quoted" & <tag>']) expect(printable(text)).toBe(text);
  });

  test('quoted puts it between double quotes with inner quotes escaped', () => {
    expect(quoted('my "key"\n')).toBe('"my \\"key\\"\\n"');
  });
});
