import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTezsignerError } from '@tezsigner/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { rejection } from '../../../../test-support/errors.js';
import { checkPassphraseFileMode, forgetPassphraseEnv } from './passphrase-file-mode.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-pass-'));
  file = join(dir, 'passphrase');
  await writeFile(file, 'correct horse battery\n', { mode: 0o600 });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test.each([0o640, 0o604, 0o660, 0o644])('a passphrase file with mode %o is refused, saying how to fix it', async (mode) => {
  await chmod(file, mode);
  const err = await rejection(checkPassphraseFileMode(file, {}));
  expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
  expect((err as Error).message).toBe(`the passphrase file ${file} is open to group or others (mode 0${mode.toString(8)}): run chmod 600 ${file} (or use systemd's LoadCredential=)`);
});

test('the file named by TEZSIGNER_PASSPHRASE_FILE is checked too, unless TEZSIGNER_PASSPHRASE is set', async () => {
  await chmod(file, 0o644);
  await expect(checkPassphraseFileMode(undefined, { TEZSIGNER_PASSPHRASE_FILE: file })).rejects.toThrow(/open to group or others/);
  await expect(checkPassphraseFileMode(undefined, { TEZSIGNER_PASSPHRASE_FILE: file, TEZSIGNER_PASSPHRASE: 'given' })).resolves.toBeUndefined();
});

test('an owner-only file passes; a missing one is left to the reader to report', async () => {
  await expect(checkPassphraseFileMode(file, {})).resolves.toBeUndefined();
  await chmod(file, 0o400);
  await expect(checkPassphraseFileMode(file, {})).resolves.toBeUndefined();
  await expect(checkPassphraseFileMode(join(dir, 'missing'), {})).resolves.toBeUndefined();
});

test('forgetPassphraseEnv removes the passphrase and nothing else', () => {
  const env: Record<string, string | undefined> = { TEZSIGNER_PASSPHRASE: 'correct horse battery', TEZSIGNER_HOME: '/h' };
  forgetPassphraseEnv(env);
  expect(env).toEqual({ TEZSIGNER_HOME: '/h' });
});
