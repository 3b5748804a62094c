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

test('what closes a line (" }", " ;", ")" of the expressions around it) counts in its width', () => {
  expect(layoutMicheline([{ prim: 'option', args: [{ int: '10000000000000' }] }], 23)).toEqual(['{ option', '    10000000000000 }']);
  const elt = { prim: 'Elt', args: [{ int: '1'.repeat(24) }, { int: `-${'2'.repeat(24)}` }] };
  // "(Elt …)" is 56 columns and fits the 57 left after the indentation, not with the "))" after it
  const lines = layoutMicheline({ prim: 'Pair', args: [{ prim: 'Some', args: [{ prim: 'Some', args: [elt] }] }] }, 63);
  expect(lines).toEqual(['Pair', '  (Some', '    (Some', '      (Elt', `        ${'1'.repeat(24)}`, `        -${'2'.repeat(24)})))`]);
  expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(63);
});

test('what it writes an independent parser (Taquito michel-codec) reads back as the same expression, in lines about the width', () => {
  fc.assert(
    fc.property(micheline, fc.integer({ min: 20, max: 80 }), (expr, width) => {
      const lines = layoutMicheline(expr as Micheline, width);
      const text = lines.join('\n');
      const parsed = parser.parseMichelineExpression(isPrim(expr as Micheline) && lines.length === 1 ? `(${text})` : text.startsWith('{') || lines.length === 1 ? text : `(${text})`);
      expect(JSON.parse(JSON.stringify(parsed))).toEqual(expr);
      for (const line of lines) {
        // at most the width; deep down, where the indentation and closings leave fewer than 20
        // columns, what lies between them at most 20; or one value longer on its own
        const [, content = ''] = /^[ {(]*(.*?)[ ;})]*$/.exec(line) ?? [];
        if (line.length > width && content.length > 20) expect(content).toMatch(/^("(?:[^"\\]|\\.)*"|0x[0-9a-f]*|-?\d+|[A-Za-z_]+)$/);
      }
    }),
    { numRuns: 1000 },
  );
});
