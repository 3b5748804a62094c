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
  it('prefers the explicit value, then the explicit file, then TEZSIGNER_PASSPHRASE, then its file', async () => {
    const file = join(dir, 'p');
    const envFile = join(dir, 'env');
    await writeFile(file, 'from file\n');
    await writeFile(envFile, 'from env file\n');
    const env = { TEZSIGNER_PASSPHRASE: 'from env', TEZSIGNER_PASSPHRASE_FILE: envFile };
    expect(await resolvePassphrase({ passphrase: 'explicit', passphraseFile: file, env })).toBe('explicit');
    expect(await resolvePassphrase({ passphraseFile: file, env })).toBe('from file');
    expect(await resolvePassphrase({ env })).toBe('from env');
    expect(await resolvePassphrase({ env: { TEZSIGNER_PASSPHRASE_FILE: envFile } })).toBe('from env file');
    expect(await resolvePassphrase({ env: {} })).toBeUndefined();
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
    // the code once, in words, without Node's repetition of the path
    expect((err as Error).message).toBe(`cannot read the passphrase file ${missing}: ENOENT: no such file or directory`);
  });

  it("reads the home's passphrase file last, only when nothing else is given", async () => {
    await writeFile(join(dir, 'passphrase'), 'made by init\n');
    expect(await resolvePassphrase({ env: {}, home: dir })).toBe('made by init');
    expect(await resolvePassphrase({ env: { TEZSIGNER_PASSPHRASE: 'from env' }, home: dir })).toBe('from env');
    expect(await resolvePassphrase({ env: {}, home: join(dir, 'elsewhere') })).toBeUndefined();
  });

  it('treats an empty TEZSIGNER_PASSPHRASE as unset', async () => {
    expect(await resolvePassphrase({ env: { TEZSIGNER_PASSPHRASE: '' } })).toBeUndefined();
  });
});
