/**
 * C0 controls but the line feed, DEL, the C1 controls (U+0080–U+009F: 0x9B alone starts an
 * escape sequence on many terminals) and the marks that reorder text on screen (bidirectional
 * overrides and isolates).
 */
function unsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text as it may reach a terminal: every control character a request, the signer or anything
 * relaying it could put in (a Michelson string, a reason) is written as `\uXXXX`, so nothing
 * but tezsigner's own line breaks can move the cursor, clear the screen or recolour what follows.
 */
export function terminalSafe(text: string): string {
  let safe = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    safe += unsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return safe;
}
