/**
 * `text` as one word of a POSIX shell command line, for a command printed to be copied: as it
 * is when it holds only characters no shell treats specially, else between single quotes (a
 * single quote in it written '\''). Nothing in it can then end the command or start another.
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", "'\\''")}'`;
}
