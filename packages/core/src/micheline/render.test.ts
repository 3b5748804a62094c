import { Parser } from '@taquito/michel-codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { micheline } from '../../../../test-support/taquito-operations.js';
import type { Micheline } from './expression.js';
import { describeMichelson, escapeText, MAX_RENDERED_LENGTH, renderMicheline } from './render.js';

const parser = new Parser();
const isPrim = (expr: Micheline): boolean => !Array.isArray(expr) && 'prim' in expr;
const pair = (...args: Micheline[]): Micheline => ({ prim: 'Pair', args });

describe('renderMicheline', () => {
  it('writes values as octez-client does', () => {
    expect(renderMicheline(pair({ string: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si' }, { int: '12' }))).toBe('Pair "tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si" 12');
    expect(renderMicheline([{ prim: 'Elt', args: [{ int: '1' }, { string: 'a' }] }, { prim: 'Elt', args: [{ int: '2' }, { bytes: '00ff' }] }])).toBe('{ Elt 1 "a" ; Elt 2 0x00ff }');
    expect(renderMicheline({ prim: 'Some', args: [pair({ int: '-1' }, { prim: 'Unit' })] })).toBe('Some (Pair -1 Unit)');
    expect(renderMicheline({ prim: 'Left', args: [[]] })).toBe('Left {}');
    expect(renderMicheline({ prim: 'pair', args: [{ prim: 'nat', annots: ['%amount'] }, { prim: 'address' }], annots: [':t'] })).toBe('pair :t (nat %amount) address');
    expect(renderMicheline([[{ prim: 'DROP' }], { prim: 'UNIT' }])).toBe('{ { DROP } ; UNIT }');
    expect(renderMicheline({ bytes: '' })).toBe('0x');
  });

  it('escapes quotes, backslashes and line breaks as Michelson does, and every other unprintable byte as \\xNN', () => {
    expect(renderMicheline({ string: 'say "hi"\\\n\t\r\b' })).toBe('"say \\"hi\\"\\\\\\n\\t\\r\\b"');
    // an ANSI escape sequence or a high byte in signed data must never reach a terminal raw
    expect(renderMicheline({ string: '\x1b[2Jok\x7f\xe9' })).toBe('"\\x1b[2Jok\\x7f\\xe9"');
    expect(renderMicheline({ prim: 'Unit', annots: ['%a\x1b'] })).toBe('Unit %a\\x1b');
    expect(escapeText('plain text: 1 + 1 = 2 ~')).toBe('plain text: 1 + 1 = 2 ~');
  });

  it('writes what an independent Micheline parser (Taquito michel-codec) reads back as the same expression', () => {
    fc.assert(
      fc.property(micheline, (expr) => {
        const text = renderMicheline(expr as Micheline);
        // octez-client writes a top-level primitive without parentheses; the parser wants them
        const parsed = parser.parseMichelineExpression(isPrim(expr as Micheline) ? `(${text})` : text);
        // the parser tags each node with its source position under a symbol; JSON drops it
        expect(JSON.parse(JSON.stringify(parsed))).toEqual(expr);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives up (undefined) once a limit is passed, and renders in full up to it', () => {
    const expr = pair({ int: '1' }, { int: '2' }); // "Pair 1 2": 8 characters
    expect(renderMicheline(expr, 8)).toBe('Pair 1 2');
    expect(renderMicheline(expr, 7)).toBeUndefined();
  });
});

describe('describeMichelson', () => {
  it('renders a value that fits', () => {
    expect(describeMichelson({ expression: pair({ int: '1' }, { string: 'a' }), size: 12 })).toBe('Pair 1 "a"');
  });

  it('summarizes a value too long to read: size and root', () => {
    const long = Array.from({ length: 400 }, (_, i): Micheline => ({ prim: 'Elt', args: [{ int: String(i) }, { string: 'value' }] }));
    expect(renderMicheline(long).length).toBeGreaterThan(MAX_RENDERED_LENGTH);
    expect(describeMichelson({ expression: long, size: 6400 })).toBe('Micheline expression, 6.4 KB, a sequence of 400');
    expect(describeMichelson({ expression: pair(long, { int: '0' }), size: 12345 })).toBe('Micheline expression, 12.3 KB, root primitive Pair');
    expect(describeMichelson({ expression: { string: 'x'.repeat(2000) }, size: 2005 })).toBe('Micheline expression, 2.0 KB, a string of 2000 characters');
    expect(describeMichelson({ expression: { bytes: 'ab'.repeat(600) }, size: 605 })).toBe('Micheline expression, 605 bytes, 600 bytes');
  });
});
