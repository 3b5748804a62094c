import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import { createHomePassphrase } from './home-passphrase.js';
import { resolvePassphrase } from './passphrase.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-home-pass-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

it('writes a random passphrase to <home>/passphrase, 0600, that resolvePassphrase then finds', async () => {
  const { passphrase, file } = await createHomePassphrase(home);
  expect(file).toBe(join(home, 'passphrase'));
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(await readFile(file, 'utf8')).toBe(`${passphrase}\n`);
  expect(passphrase).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(await resolvePassphrase({ env: {}, home })).toBe(passphrase);
  const other = await mkdtemp(join(tmpdir(), 'tezsigner-home-pass-'));
  try {
    expect((await createHomePassphrase(other)).passphrase).not.toBe(passphrase);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

it('never overwrites an existing passphrase file', async () => {
  const { passphrase } = await createHomePassphrase(home);
  const err = await createHomePassphrase(home).catch((e: unknown) => e);
  expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
  expect(await resolvePassphrase({ env: {}, home })).toBe(passphrase);
});
