import { TezsignerError } from '@tezsigner/core';
import { authorizedKeyHash } from '@tezsigner/http-server';
import { readOwnFile } from './io/file-mode.js';

const invalid = (message: string, cause?: unknown) => new TezsignerError('CONFIG_INVALID', message, { cause });

/**
 * The public keys of an authorized-keys file, in either form:
 * - octez's own `authorized_keys` file (a JSON list of `{"name", "value": "edpk…"}`), so a
 *   signer directory can be reused as is;
 * - one public key per line, optionally followed by a name; `#` starts a comment.
 * Addresses are refused: a signature can only be verified with the public key.
 */
export function parseAuthorizedKeys(text: string, file: string): string[] {
  const trimmed = text.trim();
  const entries = trimmed.startsWith('[') ? jsonEntries(trimmed, file) : lineEntries(text);
  const keys = entries.map(({ key, where }) => {
    authorizedKeyHash(key, `${file}${where}`);
    return key;
  });
  if (keys.length === 0) {
    throw invalid(`${file} lists no key: authentication would be off; remove --authorized-keys to run without it`);
  }
  return keys;
}

export async function readAuthorizedKeysFile(file: string, what = 'the authorized keys file'): Promise<string[]> {
  return parseAuthorizedKeys(await readOwnFile(file, what), file);
}

interface Entry {
  readonly key: string;
  readonly where: string;
}

function jsonEntries(text: string, file: string): Entry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`${file} starts like JSON but is not valid JSON`, err);
  }
  if (!Array.isArray(parsed)) throw invalid(`${file}: expected a JSON list of keys`);
  return parsed.map((item: unknown, index) => {
    const where = ` (entry ${index + 1})`;
    if (typeof item === 'string') return { key: item, where };
    if (typeof item === 'object' && item !== null && 'value' in item && typeof item.value === 'string') {
      return { key: item.value, where };
    }
    throw invalid(`${file}${where}: expected "edpk…" or {"name": …, "value": "edpk…"}`);
  });
}

function lineEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const key = line.replace(/#.*/, '').trim().split(/\s+/)[0];
    if (key !== undefined && key !== '') entries.push({ key, where: `:${index + 1}` });
  });
  return entries;
}
