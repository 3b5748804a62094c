import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { StaticTokenCredential } from '../../../azure-adapter/test/support/static-credential.js';
import { taquitoIdentity } from '../../../azure-adapter/test/support/taquito-check.js';
import type { AzureAccess } from '../../src/backends/azure-key-vault.js';
import type { CliIo } from '../../src/io/cli-io.js';
import { registerAzureCommands } from '../../src/commands/azure.js';
import { describeFailure } from '../../src/io/describe-failure.js';
import { expectNoStackTrace, runTezsigner, tempHome } from '../support/run-cli.js';

let standIn: KeyVaultStandIn;
let access: AzureAccess;
beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
  access = {
    credential: () => new StaticTokenCredential(standIn.token),
    clientOptions: standIn.clientOptions(),
  };
});
afterEach(async () => {
  await standIn.stop();
});

/**
 * `tezsigner azure …` parsed by the real command definitions, in this process, with the test
 * credential given to them (production passes DefaultAzureCredential).
 */
async function azure(args: string[], options: { typed?: string[]; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const typed = options.typed === undefined ? undefined : [...options.typed];
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: options.env ?? {},
    promptSecret: typed === undefined ? undefined : async () => typed.shift() ?? '',
    readStdin: undefined,
    waitForStop: () => new Promise<string>(() => undefined),
  };
  const program = new Command('tezsigner').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerAzureCommands(program, io, access);
  let code = 0;
  try {
    await program.parseAsync(['azure', 'keys', ...args], { from: 'user' });
  } catch (err) {
    code = err instanceof CommanderError ? err.exitCode : 1;
    if (!(err instanceof CommanderError)) stderr += `tezsigner: error: ${describeFailure(err)}\n`;
  }
  expectNoStackTrace(stdout + stderr);
  return { code, stdout, stderr };
}

const printedAddress = (stdout: string) => /address: +(tz[23]\w+)/.exec(stdout)?.[1];

describe('azure keys list', () => {
  test('prints each usable key with its address and public key, and why the others are not used', async () => {
    const key = standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
    standIn.vault.addRsa('rsa');
    const run = await azure(['list', '--azure-vault-url', standIn.url]);
    expect(run.code).toBe(0);
    const { pkh, publicKey } = await taquitoIdentity('secp256k1', key.d as Uint8Array);
    expect(run.stdout).toContain(`baker/${key.version}\n  address:    ${pkh}\n  public key: ${publicKey}\n  curve:      secp256k1\n`);
    expect(run.stdout).toMatch(/rsa\/\w+\n {2}not used: +key type RSA-HSM/);
  });

  test('says a second key holding the same secret is not used, and flags a software-protected key', async () => {
    const first = standIn.vault.generate({ name: 'baker', curve: 'p256', kty: 'EC' });
    standIn.vault.generate({ name: 'baker-copy', curve: 'p256', privateKey: first.d as Uint8Array });
    const run = await azure(['list', '--azure-vault-url', standIn.url]);
    expect(run.code).toBe(0);
    const { pkh } = await taquitoIdentity('p256', first.d as Uint8Array);
    expect(run.stdout).toMatch(new RegExp(`baker/${first.version}\n  address: +${pkh}\n(?:.*\n){2}  warning: +software-protected \\(key type EC, not EC-HSM\\)`));
    expect(run.stdout).toMatch(new RegExp(`baker-copy/\\w+\n  not used: +same key as baker/${first.version} \\(${pkh}\\), which is used`));
  });

  test('takes the vault from AZURE_KEYVAULT_URI', async () => {
    standIn.vault.generate({ name: 'baker', curve: 'p256' });
    const run = await azure(['list'], { env: { AZURE_KEYVAULT_URI: standIn.url } });
    expect(run.code).toBe(0);
    expect(printedAddress(run.stdout)?.slice(0, 3)).toBe('tz3');
  });
});

describe('azure keys create', () => {
  test.each([
    ['secp256k1', 'tz2'],
    ['p256', 'tz3'],
  ] as const)('--curve %s makes an EC-HSM key and prints its %s address', async (curve, prefix) => {
    const run = await azure(['create', '--curve', curve, '--name', 'new-baker', '--azure-vault-url', standIn.url]);
    expect(run.code).toBe(0);
    const stored = standIn.vault.current('new-baker');
    expect(stored?.kty).toBe('EC-HSM');
    const { pkh } = await taquitoIdentity(curve, stored?.d as Uint8Array);
    expect(printedAddress(run.stdout)).toBe(pkh);
    expect(pkh.slice(0, 3)).toBe(prefix);
  });

  test('refuses a curve Key Vault has no use for here, and a missing name', async () => {
    const ed = await azure(['create', '--curve', 'ed25519', '--name', 'x', '--azure-vault-url', standIn.url]);
    expect(ed.code).not.toBe(0);
    expect(ed.stderr).toMatch(/ed25519.*invalid|Allowed choices/i);
    const unnamed = await azure(['create', '--curve', 'p256', '--azure-vault-url', standIn.url]);
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.stderr).toMatch(/--name/);
    expect(standIn.requests).toEqual([]);
  });
});

describe('azure keys import', () => {
  test('asks for the secret key on the terminal, never prints it, and prints the address', async () => {
    const vector = keyVectors().find((k) => k.name === 'secp256k1-1');
    if (vector === undefined) throw new Error('no vector');
    const run = await azure(['import', '--name', 'moved', '--azure-vault-url', standIn.url], { typed: [vector.secret_key] });
    expect(run.code).toBe(0);
    expect(printedAddress(run.stdout)).toBe(vector.public_key_hash);
    expect(run.stdout + run.stderr).not.toContain(vector.secret_key);
    expect(standIn.vault.current('moved')).toMatchObject({ kty: 'EC-HSM', exportable: false });
  });

  test('an encrypted key asks for its passphrase too', async () => {
    const vector = loadVectors<{ keys: Array<{ curve: string; encrypted_secret_key: string; passphrase: string; public_key_hash: string }> }>('encrypted-keys').keys.find(
      (k) => k.curve === 'p256',
    );
    if (vector === undefined) throw new Error('no vector');
    const run = await azure(['import', vector.encrypted_secret_key, '--name', 'moved', '--azure-vault-url', standIn.url], { typed: [vector.passphrase] });
    expect(run.code).toBe(0);
    expect(printedAddress(run.stdout)).toBe(vector.public_key_hash);
  });

  test("an encrypted key's own passphrase comes from --key-passphrase-file; nothing else is tried", async () => {
    const vector = loadVectors<{ keys: Array<{ curve: string; encrypted_secret_key: string; passphrase: string; public_key_hash: string }> }>('encrypted-keys').keys.find(
      (k) => k.curve === 'secp256k1',
    );
    if (vector === undefined) throw new Error('no vector');
    const refused = await azure(['import', vector.encrypted_secret_key, '--name', 'moved', '--azure-vault-url', standIn.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('give its own passphrase with --key-passphrase-file');
    const dir = await tempHome();
    try {
      const file = join(dir.path, 'key-passphrase');
      await writeFile(file, `${vector.passphrase}\n`);
      const run = await azure(['import', vector.encrypted_secret_key, '--name', 'moved', '--key-passphrase-file', file, '--azure-vault-url', standIn.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(printedAddress(run.stdout)).toBe(vector.public_key_hash);
    } finally {
      await dir.remove();
    }
  });

  test('without a terminal and without the key, says how to give it', async () => {
    const run = await azure(['import', '--name', 'moved', '--azure-vault-url', standIn.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/give the secret key/);
  });
});

describe('the tezsigner program', () => {
  // Through the real program (production wiring): a missing vault URL is caught before any
  // credential is built, so these runs never touch DefaultAzureCredential.
  test('has `azure keys` and `--vault azure`, and both need a vault URL', async () => {
    const list = await runTezsigner(['azure', 'keys', 'list']);
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/no vault URL: pass --azure-vault-url or set AZURE_KEYVAULT_URI/);
    const serve = await runTezsigner(['keys', 'list', '--vault', 'azure']);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/no vault URL/);
  });

  test('rejects a malformed --azure-key or --azure-deadline-ms before connecting', async () => {
    const key = await runTezsigner(['keys', 'list', '--vault', 'azure', '--azure-key', 'bad name', '--azure-vault-url', 'https://x.vault.azure.net']);
    expect(key.stderr).toMatch(/--azure-key "bad name"/);
    const deadline = await runTezsigner(['keys', 'list', '--vault', 'azure', '--azure-deadline-ms', '5s', '--azure-vault-url', 'https://x.vault.azure.net']);
    expect(deadline.stderr).toMatch(/--azure-deadline-ms "5s"/);
  });
});
