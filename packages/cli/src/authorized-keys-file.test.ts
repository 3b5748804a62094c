import { isTezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { parseAuthorizedKeys } from './authorized-keys-file.js';

const [ed, , sp] = keyVectors();
if (ed === undefined || sp === undefined) throw new Error('missing key vectors');

function configError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isTezsignerError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('parseAuthorizedKeys', () => {
  test('reads one key per line with names and comments', () => {
    const text = `# keys of the bakers allowed to sign\n${ed.public_key} baker-1\n\n  ${sp.public_key}   # the other one\n`;
    expect(parseAuthorizedKeys(text, 'keys.txt')).toEqual([ed.public_key, sp.public_key]);
  });

  test("reads octez's authorized_keys JSON file", () => {
    const text = JSON.stringify([{ name: 'auth', value: ed.public_key }, sp.public_key]);
    expect(parseAuthorizedKeys(text, 'authorized_keys')).toEqual([ed.public_key, sp.public_key]);
  });

  test('refuses an address, saying a public key is needed', () => {
    const message = configError(() => parseAuthorizedKeys(`${ed.public_key}\n${sp.public_key_hash}\n`, 'keys.txt'));
    expect(message).toContain('keys.txt:2');
    expect(message).toContain('is an address');
  });

  test('refuses a corrupted key with its line', () => {
    const broken = ed.public_key.slice(0, -1) + (ed.public_key.endsWith('z') ? 'y' : 'z');
    expect(configError(() => parseAuthorizedKeys(`\n${broken}`, 'k'))).toContain('k:2');
  });

  test('refuses a file with no key, which would silently turn authentication off', () => {
    expect(configError(() => parseAuthorizedKeys('# nothing yet\n', 'k'))).toContain('lists no key');
    expect(configError(() => parseAuthorizedKeys('[]', 'k'))).toContain('lists no key');
  });

  test('refuses broken JSON', () => {
    expect(configError(() => parseAuthorizedKeys('[{"value": ', 'k'))).toContain('not valid JSON');
  });
});
