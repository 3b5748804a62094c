import { Parser } from '@taquito/michel-codec';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { micheline } from '../../../../test-support/taquito-operations.js';
import type { Micheline } from './expression.js';
import { layoutMicheline } from './layout.js';

const parser = new Parser();
const isPrim = (expr: Micheline): boolean => !Array.isArray(expr) && 'prim' in expr;

test('every value of a long sequence on a line of its own, nothing left out', () => {
  const strings = Array.from({ length: 40 }, (_, n) => ({ string: n === 33 ? 'send 50000 tez to tz1attacker' : `memo ${n} ${'x'.repeat(30)}` }));
  const lines = layoutMicheline(strings);
  expect(lines).toHaveLength(40);
  expect(lines[0]).toBe(`{ "memo 0 ${'x'.repeat(30)}" ;`);
  expect(lines[33]).toBe('  "send 50000 tez to tz1attacker" ;');
  expect(lines[39]).toBe(`  "memo 39 ${'x'.repeat(30)}" }`);
});

test('a primitive too long for a line puts each argument under it; what fits stays on one line', () => {
  const long = { string: 'y'.repeat(120) };
  expect(layoutMicheline({ prim: 'Pair', args: [{ int: '1' }, { prim: 'Some', args: [long] }] }, 40)).toEqual(['Pair', '  1', '  (Some', `    "${'y'.repeat(120)}")`]);
  expect(layoutMicheline({ prim: 'Pair', args: [{ int: '1' }, { string: 'a' }] })).toEqual(['Pair 1 "a"']);
  // control characters stay escaped
  expect(layoutMicheline([{ string: '\x1b[2J\x9b31m' }])).toEqual(['{ "\\x1b[2J\\x9b31m" }']);
});

test('what it writes an independent parser (Taquito michel-codec) reads back as the same expression, in lines about the width', () => {
  fc.assert(
    fc.property(micheline, fc.integer({ min: 20, max: 80 }), (expr, width) => {
      const lines = layoutMicheline(expr as Micheline, width);
      const text = lines.join('\n');
      const parsed = parser.parseMichelineExpression(isPrim(expr as Micheline) && lines.length === 1 ? `(${text})` : text.startsWith('{') || lines.length === 1 ? text : `(${text})`);
      expect(JSON.parse(JSON.stringify(parsed))).toEqual(expr);
      for (const line of lines) {
        // at most the width and a closing " ;" or " }" (deep down, 20 columns after the indent),
        // unless the line holds one value that is longer on its own
        const indent = line.length - line.trimStart().length;
        if (line.length > Math.max(width, indent + 20) + 2) expect(line.trim().replace(/^[({ ]+|[ ;})]+$/g, '')).toMatch(/^("[^"]*"|0x[0-9a-f]*|-?\d+|[A-Za-z_]+)$/);
      }
    }),
    { numRuns: 1000 },
  );
});
