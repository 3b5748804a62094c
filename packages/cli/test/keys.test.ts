import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Curve } from '@tezsigner/core';
import { getPkhfromPk, verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

interface EncryptedVector {
  curve: Curve;
  encrypted_secret_key: string;
  passphrase: string;
  secret_key: string;
  public_key_hash: string;
}
const encryptedVectors = loadVectors<{ keys: EncryptedVector[] }>('encrypted-keys').keys;
const PASSPHRASE = 'vault passphrase for tests';

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
beforeEach(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: PASSPHRASE };
});
afterEach(() => home.remove());

/** address and public key as printed */
function printed(stdout: string): { pkh: string; publicKey: string } {
  const pkh = /address: +(tz[1-4]\w+)/.exec(stdout)?.[1];
  const publicKey = /public key: +(\w+)/.exec(stdout)?.[1];
  if (pkh === undefined || publicKey === undefined) throw new Error(`no key printed in: ${stdout}`);
  return { pkh, publicKey };
}

describe('keys generate', () => {
  test.each(['ed25519', 'secp256k1', 'p256', 'bls12_381'])('makes a %s key and prints its address and public key, never its secret', async (curve) => {
    const run = await runTezsigner(['keys', 'generate', '--curve', curve, '--name', 'k'], { env });
    expect(run.code).toBe(0);
    const { pkh, publicKey } = printed(run.stdout);
    // Taquito derives the same address from the printed public key
    expect(getPkhfromPk(publicKey)).toBe(pkh);
    expect(run.stdout + run.stderr).not.toMatch(/(edsk|spsk|p2sk|BLsk|edesk|spesk|p2esk|BLesk)[1-9A-Za-z]{20,}/);
    const file = await stat(join(home.path, 'keys', 'k.json'));
    expect(file.mode & 0o777).toBe(0o600);
    expect((await stat(join(home.path, 'keys'))).mode & 0o777).toBe(0o700);
  });

  test('the generated key signs what sign asks, verified by Taquito', async () => {
    const { pkh, publicKey } = printed((await runTezsigner(['keys', 'generate', '--curve', 'p256'], { env })).stdout);
    const bytes = tenderbakeBlock(5, 0);
    const run = await runTezsigner(['sign', pkh, bytes], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(verifySignature(bytes, publicKey, run.stdout.trim())).toBe(true);
  });

  test('without a passphrase and without a terminal, says how to give one', async () => {
    const line = oneLineError(await runTezsigner(['keys', 'generate'], { env: { TEZSIGNER_HOME: home.path } }));
    expect(line).toContain('TEZSIGNER_PASSPHRASE');
    expect(line).toContain('plain');
  });

  test('on a terminal asks for a new passphrase twice, and refuses two different ones', async () => {
    const differ = await runTezsigner(['keys', 'generate'], { env: { TEZSIGNER_HOME: home.path }, typed: ['first typed passphrase', 'second typed passphrase'] });
    expect(oneLineError(differ)).toContain('the two passphrases differ');
    const same = await runTezsigner(['keys', 'generate'], { env: { TEZSIGNER_HOME: home.path }, typed: ['pass phrase 1', 'pass phrase 1'] });
    expect(same.code, same.stderr).toBe(0);
    expect(same.asked).toHaveLength(2);
    // the passphrase typed is the vault's: serving with another one fails
    const wrong = await runTezsigner(['sign', printed(same.stdout).pkh, '117a06a770'], { env: { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'not it' } });
    expect(oneLineError(wrong)).toContain('wrong passphrase');
  });

  test('--plain needs no passphrase and says the key is unencrypted', async () => {
    const run = await runTezsigner(['keys', 'generate', '--plain'], { env: { TEZSIGNER_HOME: home.path } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('UNENCRYPTED');
  });

  test.each([
    [['keys', 'generate', '--curve', 'ed448'], "argument 'ed448' is invalid"],
    [['keys', 'generate', '--name', '../escape'], 'invalid key name'],
  ])('%j is a one-line error', async (args, message) => {
    expect(oneLineError(await runTezsigner(args, { env }))).toContain(message);
  });
});

describe('keys import', () => {
  test.each(keyVectors().map((key) => [key.name, key] as const))('imports %s, printing its address and public key only', async (_name, key) => {
    const run = await runTezsigner(['keys', 'import', key.secret_key, '--name', 'imported'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(printed(run.stdout)).toEqual({ pkh: key.public_key_hash, publicKey: key.public_key });
    expect(run.stdout + run.stderr).not.toContain(key.secret_key);
  });

  test.each(encryptedVectors.map((key) => [key.curve, key] as const))('imports an encrypted %s key with --key-passphrase-file', async (_curve, key) => {
    const file = join(home.path, 'key-passphrase');
    await writeFile(file, `${key.passphrase}\n`);
    const run = await runTezsigner(['keys', 'import', '--key-passphrase-file', file], { env, stdin: key.encrypted_secret_key });
    expect(run.code, run.stderr).toBe(0);
    expect(printed(run.stdout).pkh).toBe(key.public_key_hash);
  });

  test('asks for the passphrase of an encrypted key on a terminal, without echo, and for a left-out secret key', async () => {
    const [key] = encryptedVectors;
    if (key === undefined) throw new Error('no encrypted vector');
    const run = await runTezsigner(['keys', 'import'], { env, typed: [key.encrypted_secret_key, key.passphrase] });
    expect(run.code, run.stderr).toBe(0);
    expect(run.asked).toEqual(['Secret key to import: ', 'Passphrase of the key to import: ']);
    expect(printed(run.stdout).pkh).toBe(key.public_key_hash);
    expect(run.stdout + run.stderr).not.toContain(key.passphrase);
  });

  test('a wrong passphrase is a one-line error and stores nothing', async () => {
    const [key] = encryptedVectors;
    if (key === undefined) throw new Error('no encrypted vector');
    const file = join(home.path, 'wrong');
    await writeFile(file, 'not the passphrase');
    expect(oneLineError(await runTezsigner(['keys', 'import', key.encrypted_secret_key, '--key-passphrase-file', file], { env }))).toContain(
      'wrong passphrase',
    );
    expect((await runTezsigner(['keys', 'list'], { env })).stdout).toContain('no keys');
  });

  test('an encrypted key without its own passphrase and no terminal says how to give it, never trying the vault passphrase', async () => {
    const [key] = encryptedVectors;
    if (key === undefined) throw new Error('no encrypted vector');
    // even when the vault passphrase happens to open the key, it is not taken for the key's own
    for (const vaultEnv of [{ TEZSIGNER_HOME: home.path }, { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: key.passphrase }]) {
      const line = oneLineError(await runTezsigner(['keys', 'import', '--plain'], { env: vaultEnv, stdin: key.encrypted_secret_key }));
      expect(line).toBe('tezsigner: error: the key to import is encrypted: give its own passphrase with --key-passphrase-file <file>, or run on a terminal to type it');
    }
    expect((await runTezsigner(['keys', 'list'], { env })).stdout).toContain('no keys');
  });

  test('--passphrase-file is the vault passphrase, --key-passphrase-file the imported key\'s', async () => {
    const [key] = encryptedVectors;
    if (key === undefined) throw new Error('no encrypted vector');
    const vaultFile = join(home.path, 'vault-passphrase');
    const keyFile = join(home.path, 'key-passphrase');
    // 0600: a vault passphrase file open to others is refused
    await writeFile(vaultFile, 'the vault passphrase\n', { mode: 0o600 });
    await writeFile(keyFile, `${key.passphrase}\n`, { mode: 0o600 });
    const bare = { TEZSIGNER_HOME: home.path };
    const run = await runTezsigner(['keys', 'import', '--passphrase-file', vaultFile, '--key-passphrase-file', keyFile, '--name', 'moved'], { env: bare, stdin: key.encrypted_secret_key });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('encrypted with the vault passphrase');
    // the key was stored under the vault passphrase, not its own
    const bytes = tenderbakeBlock(7, 0);
    const signed = await runTezsigner(['sign', key.public_key_hash, bytes, '--passphrase-file', vaultFile], { env: bare });
    expect(signed.code, signed.stderr).toBe(0);
    expect(oneLineError(await runTezsigner(['sign', key.public_key_hash, bytes, '--passphrase-file', keyFile], { env: bare }))).toContain('wrong passphrase');
  });

  test('reads the secret key piped on standard input, and warns when it is given on the command line', async () => {
    const [key] = keyVectors();
    if (key === undefined) throw new Error('no key vector');
    const piped = await runTezsigner(['keys', 'import', '--name', 'piped'], { env, stdin: `${key.secret_key}\n` });
    expect(piped.code, piped.stderr).toBe(0);
    expect(printed(piped.stdout).pkh).toBe(key.public_key_hash);
    expect(piped.stderr).not.toContain('shell history');
    const other = await tempHome();
    try {
      const given = await runTezsigner(['keys', 'import', key.secret_key, '--home', other.path], { env });
      expect(given.code).toBe(0);
      expect(given.stderr).toContain('stays in the shell history');
    } finally {
      await other.remove();
    }
  });

  test.each([
    ['not a key', 'edsk-not-base58'],
    ['an address', 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si'],
  ])('%s is a one-line error', async (_what, text) => {
    const line = oneLineError(await runTezsigner(['keys', 'import', text], { env }));
    expect(line).not.toContain(text.slice(5));
  });

  test('the same key twice is refused', async () => {
    const [key] = keyVectors();
    if (key === undefined) throw new Error('no key vector');
    expect((await runTezsigner(['keys', 'import', key.secret_key], { env })).code).toBe(0);
    expect(oneLineError(await runTezsigner(['keys', 'import', key.secret_key, '--name', 'again'], { env }))).toContain('already in the vault');
  });
});

describe('keys list', () => {
  test('a home that does not exist is a one-line error, and is not created', async () => {
    const missing = join(home.path, 'mistyped');
    expect(oneLineError(await runTezsigner(['keys', 'list', '--home', missing], { env }))).toBe(
      `tezsigner: error: no tezsigner home at ${missing}: check --home or TEZSIGNER_HOME, or make one with \`tezsigner init\``,
    );
    await expect(stat(missing)).rejects.toThrow();
  });

  test('a home that is a file is a one-line error naming it', async () => {
    const file = join(home.path, 'a-file');
    await writeFile(file, 'x');
    expect(oneLineError(await runTezsigner(['keys', 'list', '--home', file], { env }))).toBe(`tezsigner: error: ${file} exists but is not a folder`);
    expect(oneLineError(await runTezsigner(['keys', 'generate', '--home', join(file, 'home')], { env }))).toBe(
      `tezsigner: error: cannot create the folder ${join(file, 'home')}: part of that path is a file, not a folder`,
    );
  });

  test('has no --passphrase-file, which it would have to ignore', async () => {
    expect(oneLineError(await runTezsigner(['keys', 'list', '--passphrase-file', 'x'], { env }))).toContain("unknown option '--passphrase-file'");
  });

  test('an empty vault says how to make a key', async () => {
    const run = await runTezsigner(['keys', 'list'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tezsigner keys generate');
  });

  test('lists every key with address and public key, without needing the passphrase', async () => {
    const keys = keyVectors().slice(0, 3);
    for (const key of keys) expect((await runTezsigner(['keys', 'import', key.secret_key], { env })).code).toBe(0);
    const run = await runTezsigner(['keys', 'list'], { env: { TEZSIGNER_HOME: home.path } });
    expect(run.code, run.stderr).toBe(0);
    for (const key of keys) {
      expect(run.stdout).toContain(key.public_key_hash);
      expect(run.stdout).toContain(key.public_key);
      expect(run.stdout).not.toContain(key.secret_key);
    }
  });

  test('--home wins over TEZSIGNER_HOME', async () => {
    const other = await tempHome();
    try {
      const [key] = keyVectors();
      if (key === undefined) throw new Error('no key vector');
      expect((await runTezsigner(['keys', 'import', key.secret_key, '--home', other.path], { env })).code).toBe(0);
      expect((await runTezsigner(['keys', 'list', '--home', other.path], { env })).stdout).toContain(key.public_key_hash);
      expect((await runTezsigner(['keys', 'list'], { env })).stdout).toContain('no keys');
    } finally {
      await other.remove();
    }
  });
});

describe('keys prove-possession', () => {
  const proofs = loadVectors<{ bls_proofs_of_possession: { public_key_hash: string; proof: string }[] }>('signatures').bls_proofs_of_possession;

  test('prints the proof of possession of a tz4 key, the one of the vectors, which Taquito accepts', async () => {
    const key = keyVectors().find((k) => k.curve === 'bls12_381');
    const expected = proofs.find((p) => p.public_key_hash === key?.public_key_hash)?.proof;
    if (key === undefined || expected === undefined) throw new Error('no tz4 vector with a proof');
    expect((await runTezsigner(['keys', 'import', '--name', 'tz4'], { env, stdin: key.secret_key })).code).toBe(0);
    const run = await runTezsigner(['keys', 'prove-possession', key.public_key_hash], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(expected);
    expect(verifySignature(key.public_key_hex, key.public_key, run.stdout.trim(), undefined, true)).toBe(true);

    const ed = keyVectors().find((k) => k.curve === 'ed25519');
    if (ed === undefined) throw new Error('no tz1 vector');
    expect((await runTezsigner(['keys', 'import', '--name', 'tz1'], { env, stdin: ed.secret_key })).code).toBe(0);
    expect(oneLineError(await runTezsigner(['keys', 'prove-possession', ed.public_key_hash], { env }))).toContain('tz4');
  });
});
