import { describe, expect, test } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { parseAuthorizedKeys } from './authorized-keys-file.js';

const [ed, , sp] = keyVectors();
if (ed === undefined || sp === undefined) throw new Error('missing key vectors');

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
    const message = thrownMessage('CONFIG_INVALID', () => parseAuthorizedKeys(`${ed.public_key}\n${sp.public_key_hash}\n`, 'keys.txt'));
    expect(message).toContain('keys.txt:2');
    expect(message).toContain('is an address');
  });

  test('refuses a corrupted key with its line', () => {
    const broken = ed.public_key.slice(0, -1) + (ed.public_key.endsWith('z') ? 'y' : 'z');
    expect(thrownMessage('CONFIG_INVALID', () => parseAuthorizedKeys(`\n${broken}`, 'k'))).toContain('k:2');
  });

  test('refuses a file with no key, which would silently turn authentication off', () => {
    expect(thrownMessage('CONFIG_INVALID', () => parseAuthorizedKeys('# nothing yet\n', 'k'))).toContain('lists no key');
    expect(thrownMessage('CONFIG_INVALID', () => parseAuthorizedKeys('[]', 'k'))).toContain('lists no key');
  });

  test('refuses broken JSON', () => {
    expect(thrownMessage('CONFIG_INVALID', () => parseAuthorizedKeys('[{"value": ', 'k'))).toContain('not valid JSON');
  });
});
