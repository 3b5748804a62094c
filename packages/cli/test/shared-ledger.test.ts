// The 24 h cap is one record for every signer of a key: a `serve` and a `tezsigner sign` on one
// home, a second `serve` that fails to start, and an HA pair on one Azure Table (Azurite) all
// count against the same spending, each as its own process.
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forgeTransfer } from '../../../test-support/operations.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { startAzurite, type Azurite } from '../../azure-adapter/test/support/azurite.js';
import { CommandChild } from './support/command-child.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { MAIN, postSign, startServe, type ServeChild } from './support/serve-child.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

const ED = keyVectors()[0]!;
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const REPO = resolve(import.meta.dirname, '../../..');
const POLICY = 'default:\n  operations: { transaction: allow }\n  limits: { max_amount_24h: 100, max_fee_24h: 1 }\n';
const tez = (n: number) => BigInt(n) * 1_000_000n;
let counter = 0;
const transfer = (amount: bigint) => forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount, counter: ++counter });

/** `tezsigner <args>` as its own process, from the sources. */
const tezsignerProcess = async (args: readonly string[], env: Record<string, string>) => {
  const node = await nodeEntry(MAIN);
  return new CommandChild(process.execPath, [...node.args, ...args], { cwd: REPO, env: { ...process.env, ...node.env, ...env } }).exited;
};

/** Every file and folder under `dir` with its size and modification time. */
// Every file with its size and time of change, and every folder by name: the watermark store's
// start-up check of link(2) makes and removes a probe file, which touches its folder's time only.
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return Promise.all(entries.sort().map(async (name) => {
    const info = await stat(join(dir, name));
    return info.isDirectory() ? `${name}/` : `${name} ${info.size} ${info.mtimeMs}`;
  }));
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function homeWithKey(): Promise<{ env: Record<string, string>; policy: string }> {
  const home = await tempHome();
  cleanups.push(home.remove);
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'shared ledger passphrase' };
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);
  const policy = join(home.path, 'policy.yaml');
  await writeFile(policy, POLICY);
  return { env, policy };
}

async function serve(args: readonly string[], env: Record<string, string>): Promise<ServeChild> {
  const server = await startServe(['--log-level', 'error', ...args], env);
  cleanups.push(() => server.stop());
  return server;
}

test('a serve, a failed second serve and a `tezsigner sign` on one home keep one 100 ꜩ cap', async () => {
  const { env, policy } = await homeWithKey();
  const server = await serve(['--policy', policy], env);
  const sixty = await transfer(tez(60));
  const signed = await postSign(server.url, ED.public_key_hash, sixty);
  expect(signed.status).toBe(200);
  expect(verifySignature(sixty, ED.public_key, signed.signature ?? '')).toBe(true);

  // a second serve on the same port fails, and leaves the home as it was
  const before = await snapshot(env['TEZSIGNER_HOME'] ?? '');
  const port = new URL(server.url).port;
  const second = await tezsignerProcess(['serve', '--port', port, '--policy', policy, '--no-metrics'], env);
  expect(second.code).not.toBe(0);
  expect(second.stderr).toMatch(/in use|EADDRINUSE/);
  expect(await snapshot(env['TEZSIGNER_HOME'] ?? '')).toEqual(before);

  // `tezsigner sign` as its own process sees the 60 ꜩ the server signed, and adds 30
  const thirty = await tezsignerProcess(['sign', ED.public_key_hash, await transfer(tez(30)), '--policy', policy], env);
  expect(thirty.code, thirty.stderr).toBe(0);
  // the server sees the 30 ꜩ signed by the other process: 20 more would pass 100
  const twenty = await postSign(server.url, ED.public_key_hash, await transfer(tez(20)));
  expect(twenty.status).toBe(403);
  expect(twenty.error?.code).toBe('POLICY_DENIED');
  expect((await postSign(server.url, ED.public_key_hash, await transfer(tez(9)))).status).toBe(200);
  const refused = await runTezsigner(['sign', ED.public_key_hash, await transfer(tez(2)), '--policy', policy], { env });
  expect(refused.stderr).toContain('default.limits.max_amount_24h');
}, 120_000);

describe('an HA pair on one Azure Table (Azurite)', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    cleanups.push(() => azurite.stop());
  });

  test('two instances with their own homes keep one cap: of two 60 ꜩ transfers at once, one is signed', async () => {
    const table = ['--watermark-store', 'azure-table', '--azure-table-name', 'hacap'];
    const [a, b] = [await homeWithKey(), await homeWithKey()];
    const connection = { AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
    const servers = await Promise.all([serve([...table, '--policy', a!.policy], { ...a!.env, ...connection }), serve([...table, '--policy', b!.policy], { ...b!.env, ...connection })]);
    const [one, two] = await Promise.all([transfer(tez(60)), transfer(tez(60))]);
    const raced = await Promise.all([postSign(servers[0]!.url, ED.public_key_hash, one!), postSign(servers[1]!.url, ED.public_key_hash, two!)]);
    expect(raced.map((answer) => answer.status).sort()).toEqual([200, 403]);
    // each instance counts what the other signed: 60 + 30 fits, 60 + 30 + 30 does not
    expect((await postSign(servers[1]!.url, ED.public_key_hash, await transfer(tez(30)))).status).toBe(200);
    expect((await postSign(servers[0]!.url, ED.public_key_hash, await transfer(tez(30)))).status).toBe(403);
  }, 120_000);
});
