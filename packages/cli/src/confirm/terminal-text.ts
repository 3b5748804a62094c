/**
 * C0 controls but the line feed, DEL, the C1 controls (U+0080–U+009F: 0x9B alone starts an
 * escape sequence on many terminals) and the marks that reorder text on screen (bidirectional
 * overrides and isolates).
 */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text as it may reach a terminal: every control character a request, the signer or anything
 * relaying it could put in (a Michelson string, a reason) is written as `\uXXXX`, so nothing
 * but tezsigner's own line breaks can move the cursor, clear the screen or recolour what follows.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
