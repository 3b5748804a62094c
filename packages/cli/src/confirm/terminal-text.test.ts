import { expect, test } from 'vitest';
import { terminalSafe } from './terminal-text.js';

test('every C0 control but the line feed, DEL, every C1 control and the reordering marks are written as \\uXXXX', () => {
  const controls = [...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => code !== 0x0a), ...Array.from({ length: 0x21 }, (_, n) => 0x7f + n), 0x061c, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069];
  for (const code of controls) expect(terminalSafe(`a${String.fromCharCode(code)}b`)).toBe(`a\\u${code.toString(16).padStart(4, '0')}b`);
  expect(terminalSafe('\u001b[2J\u009b31m')).toBe('\\u001b[2J\\u009b31m');
});

test('text, line feeds and printable characters beyond ASCII pass as they are', () => {
  const text = 'transaction of 1.5 ꜩ to tz1…\n  "café" Âé ü 🙂\n';
  expect(terminalSafe(text)).toBe(text);
});
