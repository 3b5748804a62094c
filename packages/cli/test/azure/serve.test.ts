import { spawn, type ChildProcess } from 'node:child_process';
import { captureLog, registerSecret } from '../../../../test-support/log-capture.js';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { taquitoIdentity } from '../../../azure-adapter/test/support/taquito-check.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { expectNoStackTrace, tempHome } from '../support/run-cli.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const ENTRY = resolve(import.meta.dirname, '../support/azure-serve-process.ts');

let standIn: KeyVaultStandIn;
let home: Awaited<ReturnType<typeof tempHome>>;
let child: ChildProcess;
let url: string;
let stderr = '';
const keys: Array<{ curve: 'secp256k1' | 'p256'; pkh: string; publicKey: string }> = [];

beforeAll(async () => {
  standIn = await KeyVaultStandIn.start();
  for (const curve of ['secp256k1', 'p256'] as const) {
    const key = standIn.vault.generate({ name: `baker-${curve}`, curve });
    keys.push({ curve, ...(await taquitoIdentity(curve, key.d as Uint8Array)) });
  }
  standIn.vault.addRsa('not-for-tezos');
  home = await tempHome();
  // No Azure identity from this machine can leak in: only the test token is given.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AZURE_') && !name.startsWith('IDENTITY_') && !name.startsWith('MSI_')));
  const node = await nodeEntry(ENTRY);
  child = spawn(
    process.execPath,
    [...node.args, 'serve', '--vault', 'azure', '--azure-vault-url', standIn.url, '--home', home.path, '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--azure-deadline-ms', '1000'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...node.env, TEZSIGNER_TEST_AZURE_TOKEN: standIn.token, TEZSIGNER_TEST_AZURE_CA: standIn.certificate },
    },
  );
  registerSecret(standIn.token);
  child.stdout?.on('data', (chunk: Buffer) => captureLog(chunk.toString()));
  url = await new Promise<string>((ready, fail) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      captureLog(chunk.toString());
      const listening = /listening on (http:\/\/\S+)/.exec(stderr);
      if (listening?.[1] !== undefined) ready(listening[1]);
    });
    child.once('exit', (code) => fail(new Error(`tezsigner serve exited ${code}: ${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await standIn.stop();
  await home.remove();
  expectNoStackTrace(stderr, 'stderr of tezsigner serve --vault azure');
});

test('serve lists the vault keys it uses and says why it skips the others', () => {
  for (const key of keys) expect(stderr).toContain(`key ${key.pkh} (${key.curve}, baker-${key.curve}/`);
  expect(stderr).toMatch(/skipping key not-for-tezos.*RSA-HSM/);
});

describe.each([0, 1])('Taquito RemoteSigner with the vault key %i', (index) => {
  test('gets the public key and signs blocks with the high watermark on', async () => {
    const key = keys[index];
    if (key === undefined) throw new Error('no key');
    const remote = new RemoteSigner(key.pkh, url);
    expect(await remote.publicKey()).toBe(key.publicKey);

    const signsBefore = standIn.authorized('sign').length;
    const block = tenderbakeBlock(1000, 0);
    // RemoteSigner verifies the signature against the public key itself; so do we, independently
    const signed = await remote.sign(block);
    expect(signed.prefixSig.startsWith(key.curve === 'secp256k1' ? 'spsig1' : 'p2sig')).toBe(true);
    expect(verifySignature(block, key.publicKey, signed.prefixSig)).toBe(true);
    expect(standIn.authorized('sign').length).toBe(signsBefore + 1);

    // below the watermark: refused, and the vault is not asked
    await expect(remote.sign(tenderbakeBlock(999, 5))).rejects.toThrow();
    // the same level and round with other bytes: refused too
    await expect(remote.sign(tenderbakeBlock(1000, 0, 0x01))).rejects.toThrow();
    expect(standIn.authorized('sign').length).toBe(signsBefore + 1);

    const next = await remote.sign(tenderbakeBlock(1001, 0));
    expect(verifySignature(tenderbakeBlock(1001, 0), key.publicKey, next.prefixSig)).toBe(true);
  });
});

test('a vault fault is a 503 for the baker, and the same request signs once the vault is back', async () => {
  const key = keys[0];
  if (key === undefined) throw new Error('no key');
  const block = tenderbakeBlock(2000, 0);
  standIn.inject('sign', { kind: 'status', status: 500 }, 1000);
  const refused = await fetch(`${url}/keys/${key.pkh}`, { method: 'POST', body: JSON.stringify(block), headers: { 'content-type': 'application/json' } });
  expect(refused.status).toBe(503);
  standIn.clearFaults();
  const signed = await new RemoteSigner(key.pkh, url).sign(block);
  expect(verifySignature(block, key.publicKey, signed.prefixSig)).toBe(true);
}, 30_000);

test('stops on SIGTERM, having kept its watermarks on disk', async () => {
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(stderr).toContain('stopped');
  expect((await readdir(resolve(home.path, 'watermarks'))).length).toBeGreaterThan(0);
});
