// The 24 h cap is one record for every signer of a key: a `serve` and a `tezsigner sign` on one
// home, a second `serve` that fails to start, and an HA pair on one Azure Table (Azurite) or on
// one PostgreSQL database all count against the same spending, each as its own process. The
// record holds under what real processes meet: a clock that jumps ahead and comes back, a symbolic
// link where the ledger folder should be, 10,000 entries in a key's day, and signers racing under
// one cap while one of them is SIGKILLed mid-burst.
import { mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DAY_MS } from '@tezsigner/core';
import { FileSpendingLedger } from '@tezsigner/local-adapter';
import { forgeTransfer } from '../../../test-support/operations.js';
import { fillSpending } from '../../../test-support/spending-entries.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { startAzurite, type Azurite } from '../../azure-adapter/test/support/azurite.js';
import { startPostgres } from '../../postgres-adapter/test/support/postgres-cluster.js';
import { CommandChild } from './support/command-child.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { MAIN, postSign, startServe, type ServeChild } from './support/serve-child.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

const ED = keyVectors()[0]!;
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const REPO = resolve(import.meta.dirname, '../../..');
const POLICY = 'default:\n  operations: { transaction: allow }\n  limits: { max_amount_24h: 100, max_fee_24h: 1 }\n';
const CLOCK = resolve(import.meta.dirname, 'support/clock-offset.mjs');
const HOUR = 60 * 60 * 1000;
const tez = (n: number) => BigInt(Math.round(n * 1_000_000));
let counter = 0;
const transfer = (amount: bigint) => forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount, counter: ++counter });
/** A transfer that burns nothing (storage limit 0): it counts its amount alone against the cap. */
const payout = (amount: bigint) => forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount, counter: ++counter, storageLimit: 0 });
const FEE_POLICY = 'default:\n  operations: { transaction: allow }\n  limits: { max_amount: 10, max_fee: 0.5, max_amount_24h: 100, max_fee_24h: 1 }\n';
/** A 1 ꜩ payout paying `fee`. */
const feeing = (fee: bigint) => forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount: tez(1), fee, counter: ++counter, storageLimit: 0 });
/** Run a process with its clock this far off. */
const clockEnv = (offsetMs: number) => ({ NODE_OPTIONS: `--import=${CLOCK}`, TEZSIGNER_TEST_CLOCK_OFFSET_MS: String(offsetMs) });

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

async function homeWithKey(rules = POLICY): Promise<{ home: string; env: Record<string, string>; policy: string }> {
  const home = await tempHome();
  cleanups.push(home.remove);
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'shared ledger passphrase' };
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);
  const policy = join(home.path, 'policy.yaml');
  await writeFile(policy, rules);
  return { home: home.path, env, policy };
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
    await oneCapForAPair(table, { AZURE_TABLE_CONNECTION_STRING: azurite.connectionString });
  }, 120_000);

  test('fees over 24 h are one record too: 0.4 ꜩ fees on each instance, a third is over max_fee_24h', async () => {
    const table = ['--watermark-store', 'azure-table', '--azure-table-name', 'hafees'];
    const [a, b] = [await homeWithKey(FEE_POLICY), await homeWithKey(FEE_POLICY)];
    const connection = { AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
    const servers = await Promise.all([serve([...table, '--policy', a!.policy], { ...a!.env, ...connection }), serve([...table, '--policy', b!.policy], { ...b!.env, ...connection })]);
    expect((await postSign(servers[0]!.url, ED.public_key_hash, await feeing(tez(0.4)))).status).toBe(200);
    expect((await postSign(servers[1]!.url, ED.public_key_hash, await feeing(tez(0.4)))).status).toBe(200);
    const third = await postSign(servers[0]!.url, ED.public_key_hash, await feeing(tez(0.4)));
    expect(third.status).toBe(403);
    expect(third.error?.code).toBe('POLICY_DENIED');
  }, 120_000);
});

describe('an HA pair on one PostgreSQL database', () => {
  test('two instances with their own homes keep one cap: of two 60 ꜩ transfers at once, one is signed', async () => {
    const cluster = await startPostgres();
    cleanups.push(() => cluster.remove());
    const url = await cluster.createDatabase('hacap');
    await oneCapForAPair(['--watermark-store', 'postgres'], { TEZSIGNER_POSTGRES_URL: url });
  }, 120_000);
});

/** Two serve processes with their own homes on one shared store, a policy capping 100 ꜩ a day. */
async function oneCapForAPair(storeArgs: readonly string[], connection: Record<string, string>): Promise<void> {
  const [a, b] = [await homeWithKey(), await homeWithKey()];
  const servers = await Promise.all([serve([...storeArgs, '--policy', a.policy], { ...a.env, ...connection }), serve([...storeArgs, '--policy', b.policy], { ...b.env, ...connection })]);
  const [one, two] = await Promise.all([transfer(tez(60)), transfer(tez(60))]);
  const raced = await Promise.all([postSign(servers[0]!.url, ED.public_key_hash, one!), postSign(servers[1]!.url, ED.public_key_hash, two!)]);
  expect(raced.map((answer) => answer.status).sort()).toEqual([200, 403]);
  // each instance counts what the other signed: 60 + 30 fits, 60 + 30 + 30 does not
  expect((await postSign(servers[1]!.url, ED.public_key_hash, await transfer(tez(30)))).status).toBe(200);
  expect((await postSign(servers[0]!.url, ED.public_key_hash, await transfer(tez(30)))).status).toBe(403);
}

test('a 1 ꜩ payout with a 90,000 ꜩ fee is refused by max_fee, and fees add up over 24 h across serve and sign under max_fee_24h', async () => {
  const { env, policy } = await homeWithKey(FEE_POLICY);
  const server = await serve(['--policy', policy], env);
  const huge = await postSign(server.url, ED.public_key_hash, await feeing(tez(90_000)));
  expect(huge.status).toBe(403);
  expect((huge as { error?: { message?: string } }).error?.message).toContain('default.limits.max_fee (policy.yaml): fee 90000 ꜩ is over the limit of 0.5 ꜩ');
  expect((await postSign(server.url, ED.public_key_hash, await feeing(tez(0.4)))).status).toBe(200);
  const signed = await sign(await feeing(tez(0.4)), policy, env);
  expect(signed.code, signed.stderr).toBe(0);
  const third = await sign(await feeing(tez(0.4)), policy, env);
  expect(third.stderr).toContain('default.limits.max_fee_24h (policy.yaml): fee 1.2 ꜩ over 24 h is over the limit of 1 ꜩ');
  const fromServe = await postSign(server.url, ED.public_key_hash, await feeing(tez(0.4)));
  expect(fromServe.status).toBe(403);
}, 120_000);

/** `tezsigner sign <hex> --policy` as its own process. */
const sign = (hex: string, policy: string, env: Record<string, string>) => tezsignerProcess(['sign', ED.public_key_hash, hex, '--policy', policy], env);

/** What a fresh ledger on the home reads for the key over the day before `now`. */
async function recorded(home: string, now = Date.now()) {
  const ledger = await FileSpendingLedger.open({ home });
  try {
    return await ledger.read(ED.public_key_hash, now - DAY_MS);
  } finally {
    await ledger.close();
  }
}

test('a clock that jumps 49 h ahead and comes back: what the real day spent still counts under the 100 ꜩ cap', async () => {
  const { home, env, policy } = await homeWithKey();
  // the real day: 70 payouts of 1 ꜩ
  const today = await serve(['--policy', policy], env);
  for (let n = 0; n < 70; n++) expect((await postSign(today.url, ED.public_key_hash, await payout(tez(1)))).status).toBe(200);
  await today.stop();
  // a clock 49 h ahead signs 190 more of 0.01 ꜩ: its appends reach a pruning position (256)
  const ahead = await serve(['--policy', policy], { ...env, ...clockEnv(49 * HOUR) });
  for (let n = 0; n < 190; n++) expect((await postSign(ahead.url, ED.public_key_hash, await payout(tez(0.01)))).status).toBe(200);
  await ahead.stop();
  const names = (await readdir(join(home, 'spending', ED.public_key_hash))).filter((name) => name.endsWith('.json'));
  expect(names).toHaveLength(260);
  // the clock back, an hour later: 71.9 ꜩ spent, so 40 more is over the cap and 25 is not
  const back = clockEnv(HOUR);
  const refused = await sign(await payout(tez(40)), policy, { ...env, ...back });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('default.limits.max_amount_24h (policy.yaml): amount 111.9 ꜩ over 24 h is over the limit of 100 ꜩ');
  const fits = await sign(await payout(tez(25)), policy, { ...env, ...back });
  expect(fits.code, fits.stderr).toBe(0);
}, 240_000);

test('a symbolic link for the spending folder is refused, by serve and by sign, and nothing is written through it', async () => {
  const { home, env, policy } = await homeWithKey();
  const elsewhere = await mkdtemp(join(tmpdir(), 'tezsigner-elsewhere-'));
  cleanups.push(() => rm(elsewhere, { recursive: true, force: true }));
  await symlink(elsewhere, join(home, 'spending'));
  const refused = await sign(await payout(tez(1)), policy, env);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/the spending folder .*spending is a symbolic link; tezsigner keeps spending only in real folders of its home: replace the link with the folder it points to \(mv\), then start again/);
  const server = await serve(['--policy', policy], env);
  const answer = await postSign(server.url, ED.public_key_hash, await payout(tez(1)));
  expect(answer.status).toBe(503);
  expect(answer.signature).toBeUndefined();
  await server.stop();
  // the answer says what failed; the log line says where
  expect(server.stdout()).toMatch(/spending folder .* is a symbolic link/);
  expect(await readdir(elsewhere)).toEqual([]);
}, 120_000);

test('10,000 entries in the key\'s day: tezsigner sign counts them all, and the next serve too', async () => {
  const { home, env, policy } = await homeWithKey();
  // 10,000 payouts of 0.009 ꜩ (fee 0.00005 ꜩ each) over the last 20 hours: 90 ꜩ spent, 0.5 ꜩ in fees
  await fillSpending(home, ED.public_key_hash, { count: 10_000, now: Date.now(), amount: 9_000n, fee: 50n, spanMs: 20 * HOUR });
  const over = await sign(await payout(tez(10.5)), policy, env);
  expect(over.stderr).toContain('amount 100.5 ꜩ over 24 h is over the limit of 100 ꜩ');
  const fits = await sign(await payout(tez(9.5)), policy, env);
  expect(fits.code, fits.stderr).toBe(0);
  const server = await serve(['--policy', policy], env);
  expect((await postSign(server.url, ED.public_key_hash, await payout(tez(0.6)))).status).toBe(403);
  expect((await postSign(server.url, ED.public_key_hash, await payout(tez(0.4)))).status).toBe(200);
  await server.stop();
  expect((await recorded(home)).next).toBe(10_002);
}, 240_000);

test('three serves and two signs on one home race 7 ꜩ transfers under 100 ꜩ; one serve SIGKILLed mid-burst: no more is signed than the cap, and the record holds all that was', async () => {
  const { home, env, policy } = await homeWithKey();
  const servers = [await serve(['--policy', policy], env), await serve(['--policy', policy], env), await serve(['--policy', policy], env)];
  const requests = await Promise.all(Array.from({ length: 30 }, () => transfer(tez(7))));
  let signed = 0n;
  const verify = (hex: string, signature: string | undefined) => {
    if (signature !== undefined && verifySignature(hex, ED.public_key, signature)) signed += tez(7);
  };
  const victim = servers[0] as ServeChild;
  const sent = requests.slice(0, 24).map(async (hex, n) => {
    const server = servers[n % 3] as ServeChild;
    const answer = await postSign(server.url, ED.public_key_hash, hex).catch(() => undefined);
    verify(hex, answer?.signature);
    // its first answer given, the victim dies in the middle of the rest
    if (server === victim && answer !== undefined) victim.kill();
  });
  const signs = requests.slice(24).map(async (hex) => {
    const exit = await sign(hex, policy, env);
    if (exit.code === 0) verify(hex, exit.stdout.trim().split('\n').at(-1));
  });
  await Promise.all([...sent, ...signs]);
  expect(await victim.exited).toBe(null);
  for (const server of servers.slice(1)) await server.stop();
  const record = await recorded(home);
  expect(signed).toBeGreaterThan(0n);
  expect(signed).toBeLessThanOrEqual(tez(100));
  // every signature was recorded first; what the dead serve recorded and never answered counts too
  expect(record.spent.amount).toBeGreaterThanOrEqual(signed);
  expect(record.spent.amount).toBeLessThanOrEqual(tez(100));
  // and the record still takes the next signer's step: 100 ꜩ less what it holds is what is left
  const left = tez(100) - record.spent.amount;
  if (left >= tez(7)) throw new Error(`the burst left ${left} mutez under the cap: it never reached it`);
}, 240_000);
