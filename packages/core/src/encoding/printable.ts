const NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from outside (a key's label on an HSM token, a name from a file) as it may be printed in
 * a log line or on a terminal: control characters (C0, DEL, C1), Unicode format characters
 * (bidirectional overrides, zero-width ones), line and paragraph separators, lone surrogates
 * and the backslash itself are written as escapes (`\n`, `\x1b`, `\u{202e}`), so no label can
 * end a line, forge another or move the cursor. Everything else, accented letters included,
 * is kept as it is.
 */
export function printable(text: string): string {
  return text.replace(/[\\\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `printable(text)` between double quotes, a double quote in it escaped: one unambiguous token of a message. */
export function quoted(text: string): string {
  return `"${printable(text).replaceAll('"', '\\"')}"`;
}
