// The relative links of Markdown files, and the heading anchors GitHub gives a file, to find
// links that lead nowhere once a section moves. Code (fenced blocks, inline spans) holds no link
// and no heading, as GitHub renders it.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HTML_ANCHOR = /<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi;
// a link's text may wrap onto the next line, not across a blank one
const INLINE_LINK = /!?\[(?:[^[\]\n]|\n(?![ \t]*\n)|\[[^[\]\n]*\])*\]\(\s*(<[^>\n]*>|[^\s()]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)/;
const ABSOLUTE = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i;

/**
 * A file's lines, those of fenced code blocks left empty and inline code spans blanked out (a
 * span's text kept as letters of its own, so a link whose text is code still parses): what
 * GitHub reads links and headings in.
 */
function prose(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((text) => {
    const opening = FENCE.exec(text)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length && text.trim() === opening) fence = undefined;
      return '';
    }
    if (opening !== undefined) {
      fence = opening;
      return '';
    }
    return text.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span) => 'x'.repeat(span.length));
  });
}

/** GitHub's anchor for a heading's rendered text: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** What a heading's Markdown renders to as text: code, links and emphasis show their text only. */
function renderedText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
}

/** Every anchor GitHub makes in a file: each heading's slug, a repeated one suffixed -1, -2…, and HTML anchors. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  // a heading's code spans are part of its text, so headings are read from the lines themselves
  const source = markdown.split('\n');
  prose(markdown).forEach((blanked, index) => {
    const text = blanked === '' ? '' : (source[index] ?? '');
    for (const match of text.matchAll(HTML_ANCHOR)) found.add(match[1] ?? '');
    const heading = ATX_HEADING.exec(text);
    if (heading === null) return;
    const slug = headingSlug(renderedText(heading[1] ?? '').trim());
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  });
  return found;
}

export interface Link {
  line: number;
  target: string;
}

/** The links of a file that point into the repository (relative paths and same-file anchors), by line. */
export function relativeLinks(markdown: string): Link[] {
  const lines = prose(markdown);
  const text = lines.join('\n');
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const found = [...text.matchAll(INLINE_LINK)].map((match) => ({ line: lineOf(match.index), target: match[1] ?? '' }));
  lines.forEach((line, index) => {
    const definition = REFERENCE_DEFINITION.exec(line)?.[1];
    if (definition !== undefined) found.push({ line: index + 1, target: definition });
  });
  return found
    .sort((a, b) => a.line - b.line)
    .map(({ line, target }) => ({ line, target: target.replace(/^<(.*)>$/, '$1') }))
    .filter(({ target }) => !ABSOLUTE.test(target));
}

/**
 * Why a link of `file` (a path inside `root`) leads nowhere, or undefined when it leads to a
 * file or folder of the repository and, where it names one, to an anchor of that file.
 */
export function brokenReason(root: string, file: string, target: string, anchorsOf: (path: string) => Set<string>): string | undefined {
  const hash = target.indexOf('#');
  const path = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (relative(root, resolved).startsWith(`..${sep}`) || relative(root, resolved) === '..') return 'points outside the repository';
  if (!existsSync(resolved)) return `no such file: ${relative(root, resolved)}`;
  if (anchor === undefined) return undefined;
  if (statSync(resolved).isDirectory()) return `a folder has no anchor #${anchor}`;
  if (extname(resolved).toLowerCase() !== '.md') return /^L\d+(?:-L\d+)?$/.test(anchor) ? undefined : `#${anchor} is not a line of ${relative(root, resolved)}`;
  return anchorsOf(resolved).has(anchor) ? undefined : `no heading #${anchor} in ${relative(root, resolved)}`;
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'release']);

/** Every Markdown file of the repository, outside dependencies, build output and dot-folders. */
export function markdownFiles(root: string, folder = root): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name) ? [] : markdownFiles(root, path);
    return entry.isFile() && entry.name.endsWith('.md') ? [path] : [];
  });
}

/** Every broken relative link of the repository's Markdown files, as `file:line: target: why`. */
export function brokenLinks(root: string, files = markdownFiles(root)): string[] {
  const cache = new Map<string, Set<string>>();
  const anchorsOf = (path: string): Set<string> => {
    const known = cache.get(path) ?? anchors(readFileSync(path, 'utf8'));
    cache.set(path, known);
    return known;
  };
  return files.flatMap((file) =>
    relativeLinks(readFileSync(file, 'utf8')).flatMap(({ line, target }) => {
      const reason = brokenReason(root, file, target, anchorsOf);
      return reason === undefined ? [] : [`${relative(root, file)}:${line}: ${target}: ${reason}`];
    }),
  );
}
