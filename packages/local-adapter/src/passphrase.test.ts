import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import { resolvePassphrase } from './passphrase.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-pass-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolvePassphrase', () => {
  it('prefers the explicit value, then TEZSIGNER_PASSPHRASE, then the file', async () => {
    const file = join(dir, 'p');
    await writeFile(file, 'from file\n');
    const env = { TEZSIGNER_PASSPHRASE: 'from env', TEZSIGNER_PASSPHRASE_FILE: file };
    expect(await resolvePassphrase({ passphrase: 'explicit', env })).toBe('explicit');
    expect(await resolvePassphrase({ env })).toBe('from env');
    expect(await resolvePassphrase({ env: { TEZSIGNER_PASSPHRASE_FILE: file } })).toBe('from file');
    expect(await resolvePassphrase({ env: {} })).toBeUndefined();
  });

  it('takes the explicit file over the environment one', async () => {
    const mine = join(dir, 'mine');
    const theirs = join(dir, 'theirs');
    await writeFile(mine, 'mine');
    await writeFile(theirs, 'theirs');
    expect(await resolvePassphrase({ passphraseFile: mine, env: { TEZSIGNER_PASSPHRASE_FILE: theirs } })).toBe('mine');
  });

  it('removes only the one trailing newline of the file', async () => {
    const cases: Array<[string, string]> = [
      ['secret\n', 'secret'],
      ['secret\r\n', 'secret'],
      ['secret', 'secret'],
      ['  two words  \n', '  two words  '],
      ['ends with blank line\n\n', 'ends with blank line\n'],
    ];
    for (const [content, expected] of cases) {
      const file = join(dir, 'p');
      await writeFile(file, content);
      expect(await resolvePassphrase({ passphraseFile: file, env: {} })).toBe(expected);
    }
  });

  it('refuses an empty passphrase and an unreadable file with CONFIG_INVALID', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    const missing = join(dir, 'missing');
    for (const options of [{ passphrase: '' }, { passphraseFile: empty }, { passphraseFile: missing }]) {
      const err = await resolvePassphrase({ ...options, env: {} }).catch((e: unknown) => e);
      expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
    }
    const err = await resolvePassphrase({ passphraseFile: missing, env: {} }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(missing);
  });

  it('treats an empty TEZSIGNER_PASSPHRASE as unset', async () => {
    expect(await resolvePassphrase({ env: { TEZSIGNER_PASSPHRASE: '' } })).toBeUndefined();
  });
});
