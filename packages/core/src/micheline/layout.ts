import { isSequence, type Micheline } from './expression.js';
import { renderMicheline } from './render.js';

/** Columns a line aims at before an expression is broken over several. */
export const LAYOUT_WIDTH = 100;

const hasArgs = (expression: Micheline): boolean =>
  !isSequence(expression) && 'prim' in expression && (expression.args?.length ?? 0) + (expression.annots?.length ?? 0) > 0;

/** The expression on one line if it fits in `limit` columns (in parentheses where an argument needs them). */
function oneLine(expression: Micheline, wrap: boolean, limit: number): string | undefined {
  const parens = wrap && hasArgs(expression);
  const text = renderMicheline(expression, parens ? limit - 2 : limit);
  return text === undefined ? undefined : parens ? `(${text})` : text;
}

const indented = (lines: readonly string[]): string[] => lines.map((line) => `  ${line}`);

/**
 * `expression` in `width` columns, less the `closing` columns its enclosing sequences and
 * parentheses append to its last line; deep down, where fewer than 20 are left, in 20.
 */
function layout(expression: Micheline, wrap: boolean, width: number, closing: number): string[] {
  const fits = oneLine(expression, wrap, Math.max(width - closing, 20));
  if (fits !== undefined) return [fits];
  if (isSequence(expression)) {
    const lines: string[] = [];
    expression.forEach((item, i) => {
      const last = i === expression.length - 1;
      // each element after "{ " or two spaces, then " ;" or (the last) " }"
      const itemLines = layout(item, false, width - 2, last ? closing + 2 : 2);
      itemLines.forEach((line, j) => {
        const lead = i === 0 && j === 0 ? '{ ' : '  ';
        const tail = j === itemLines.length - 1 ? (last ? ' }' : ' ;') : '';
        lines.push(`${lead}${line}${tail}`);
      });
    });
    return lines;
  }
  if ('prim' in expression) {
    const parens = wrap && hasArgs(expression);
    // the head alone (primitive and annotations) is short: renderMicheline escapes it
    const head = renderMicheline({ prim: expression.prim, ...(expression.annots === undefined ? {} : { annots: expression.annots }) });
    const args = expression.args ?? [];
    const lines = [
      `${parens ? '(' : ''}${head}`,
      ...args.flatMap((arg, i) => indented(layout(arg, true, width - 2, i === args.length - 1 ? closing + (parens ? 1 : 0) : 0))),
    ];
    if (parens) lines[lines.length - 1] += ')';
    return lines;
  }
  // a string, bytes or an int longer than a line: whole, on a line of its own
  return [renderMicheline(expression)];
}

/**
 * A Micheline expression over as many lines as it needs, every value in full: what fits in
 * `width` columns stays on one line (octez-client's notation, strings escaped), a sequence
 * puts each element on a line of its own, a primitive each argument, indented under it. A
 * value longer than a line (a long string or bytes) is one line of its own, never cut.
 */
export function layoutMicheline(expression: Micheline, width = LAYOUT_WIDTH): string[] {
  return layout(expression, false, width, 0);
}
