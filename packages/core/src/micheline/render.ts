import { isSequence, type Micheline, type MichelsonExpression } from './expression.js';

/** Longest rendering shown in full; past it an expression is summarized (size and root). */
export const MAX_RENDERED_LENGTH = 1000;

const ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b' };

/**
 * Text safe to put before a person: printable ASCII as is, Michelson's escapes for quotes,
 * backslashes and line breaks, `\xNN` for any other byte (so no terminal control sequence
 * in signed data can reach a screen).
 */
export function escapeText(text: string): string {
  return text.replace(/[^ !#-[\]-~]/g, (char) => ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

class TooLong extends Error {}

/**
 * Micheline in octez-client's one-line notation: `Pair "tz1…" 12`, `{ Elt 1 "a" ; Elt 2 "b" }`,
 * `Some (Pair 1 2)`, annotations after the primitive. With `limit`, gives undefined as soon
 * as the text would exceed it, so a huge expression costs no more than the limit.
 */
export function renderMicheline(expression: Micheline): string;
export function renderMicheline(expression: Micheline, limit: number): string | undefined;
export function renderMicheline(expression: Micheline, limit = Number.POSITIVE_INFINITY): string | undefined {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): void => {
    length += text.length;
    if (length > limit) throw new TooLong();
    parts.push(text);
  };
  const node = (expr: Micheline, wrap: boolean): void => {
    if (isSequence(expr)) return sequence(expr);
    if ('int' in expr) return emit(expr.int);
    if ('string' in expr) return emit(`"${escapeText(expr.string)}"`);
    if ('bytes' in expr) return emit(`0x${expr.bytes}`);
    const args = expr.args ?? [];
    const annots = expr.annots ?? [];
    const parens = wrap && args.length + annots.length > 0;
    if (parens) emit('(');
    emit(escapeText(expr.prim));
    for (const annot of annots) emit(` ${escapeText(annot)}`);
    for (const arg of args) {
      emit(' ');
      node(arg, true);
    }
    if (parens) emit(')');
  };
  const sequence = (items: readonly Micheline[]): void => {
    if (items.length === 0) return emit('{}');
    emit('{ ');
    items.forEach((item, i) => {
      if (i > 0) emit(' ; ');
      node(item, false);
    });
    emit(' }');
  };
  try {
    node(expression, false);
  } catch (err) {
    if (err instanceof TooLong) return undefined;
    throw err;
  }
  return parts.join('');
}

/** "12 bytes", "12.3 KB" (1 KB = 1000 bytes). */
export function formatSize(bytes: number): string {
  return bytes < 1000 ? `${bytes} byte${bytes === 1 ? '' : 's'}` : `${(bytes / 1000).toFixed(1)} KB`;
}

function describeRoot(expression: Micheline): string {
  if (isSequence(expression)) return `a sequence of ${expression.length}`;
  if ('prim' in expression) return `root primitive ${escapeText(expression.prim)}`;
  if ('int' in expression) return `an int of ${expression.int.length} digits`;
  if ('string' in expression) return `a string of ${expression.string.length} characters`;
  return `${expression.bytes.length / 2} bytes`;
}

/**
 * What a person is shown of a Michelson value: its rendering when it fits in
 * MAX_RENDERED_LENGTH characters, else e.g. "Micheline expression, 12.3 KB, root primitive Pair".
 */
export function describeMichelson({ expression, size }: MichelsonExpression): string {
  return renderMicheline(expression, MAX_RENDERED_LENGTH) ?? `Micheline expression, ${formatSize(size)}, ${describeRoot(expression)}`;
}
