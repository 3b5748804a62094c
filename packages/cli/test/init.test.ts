import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { runTezsigner, tempHome } from './support/run-cli.js';

let base: Awaited<ReturnType<typeof tempHome>>;
let home: string;
beforeEach(async () => {
  base = await tempHome();
  home = join(base.path, 'home');
});
afterEach(() => base.remove());

const printed = (stdout: string) => ({
  pkh: /address: +(tz1\w+)/.exec(stdout)?.[1] ?? '',
  publicKey: /public key: +(\w+)/.exec(stdout)?.[1] ?? '',
});

test('with no passphrase given, makes the home, a random 0600 passphrase file and an encrypted key that sign then uses', async () => {
  const env = { TEZSIGNER_HOME: home };
  const run = await runTezsigner(['init'], { env });
  expect(run.code, run.stderr).toBe(0);
  const file = join(home, 'passphrase');
  expect(run.stdout).toContain(`generated a random vault passphrase into ${file}`);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const passphrase = (await readFile(file, 'utf8')).trim();
  expect(passphrase.length).toBeGreaterThanOrEqual(32);
  expect(run.stdout).toContain('encrypted with the vault passphrase');
  expect(run.stdout + run.stderr).not.toContain(passphrase);

  const { pkh, publicKey } = printed(run.stdout);
  const bytes = tenderbakeBlock(3, 0);
  const signed = await runTezsigner(['sign', pkh, bytes], { env });
  expect(signed.code, signed.stderr).toBe(0);
  expect(verifySignature(bytes, publicKey, signed.stdout.trim())).toBe(true);
  // the file is the vault's passphrase: another one does not open the key
  expect((await runTezsigner(['sign', pkh, bytes], { env: { ...env, TEZSIGNER_PASSPHRASE: 'not it' } })).stderr).toContain('wrong passphrase');
});

test('run again, generates nothing and keeps the passphrase', async () => {
  const env = { TEZSIGNER_HOME: home };
  const first = await runTezsigner(['init'], { env });
  const passphrase = await readFile(join(home, 'passphrase'), 'utf8');
  const again = await runTezsigner(['init'], { env });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toContain('already holds 1 key(s); none generated');
  expect(again.stdout).toContain(printed(first.stdout).pkh);
  expect(await readFile(join(home, 'passphrase'), 'utf8')).toBe(passphrase);
});

test('with a passphrase given, writes no passphrase file', async () => {
  const run = await runTezsigner(['init'], { env: { TEZSIGNER_HOME: home, TEZSIGNER_PASSPHRASE: 'chosen by the operator' } });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).not.toContain('passphrase into');
  await expect(stat(join(home, 'passphrase'))).rejects.toThrow();
});
