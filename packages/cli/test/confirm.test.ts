// A real `tezsigner serve` holding transfers for confirmation, answered from `tezsigner confirm`
// in a real terminal (tmux), while consensus signing for the same key goes on.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { forgeTransfer } from '../../../test-support/operations.js';
import { attestation } from '../../http-server/test/support/consensus-bytes.js';
import { listPending } from '../src/policy/admin-client.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';
import { REPO, startServeProcess, type ServeProcess } from './support/serve-process.js';
import { waitUntil } from '../../../test-support/wait-until.js';

const [ED] = keyVectors();
if (ED === undefined) throw new Error('missing key vectors');
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const env = (home: string) => ({ TEZSIGNER_HOME: home, TEZSIGNER_PASSPHRASE: 'confirm test passphrase' });

let home: Awaited<ReturnType<typeof tempHome>>;
let server: ServeProcess;

beforeAll(async () => {
  home = await tempHome();
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env: env(home.path) })).code).toBe(0);
  await writeFile(join(home.path, 'policy.yaml'), `keys:\n  ${ED.public_key_hash}:\n    operations:\n      transaction: confirm\n`);
  server = await startServeProcess(['--policy', join(home.path, 'policy.yaml')], env(home.path));
});
afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

const token = () => readFile(join(home.path, 'admin.token'), 'utf8').then((text) => text.trim());
const pending = async () => listPending(join(home.path, 'admin.sock'), await token());

/** Resolves once the signer holds `count` requests. */
async function heldCount(count: number) {
  return waitUntil(`the signer to hold ${count} request(s)`, async () => {
    const list = await pending();
    return list.length >= count && list;
  });
}

/** A transfer's bytes without the magic byte, as Taquito hands them to a signer with watermark 0x03. */
const transferBytes = async (mutez: bigint, counter = 1) => (await forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount: mutez, counter })).slice(2);

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

const post = (hex: string) =>
  fetch(`${server.url}/keys/${ED.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hex) });

function tmux(socket: string, ...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

test('a held transfer is approved from tezsigner confirm in a terminal; attestations for the key go on meanwhile', async () => {
  const remote = new RemoteSigner(ED.public_key_hash, server.url);
  // Taquito gives up on an HTTP answer after 30 s; a held request may wait longer on a busy machine
  (remote as unknown as { http: { timeout: number } }).http.timeout = 120_000;
  const bytes = await transferBytes(1_500_000n);
  const transfer = track(remote.sign(bytes, new Uint8Array([3])));
  const [held] = await heldCount(1);
  expect(held?.summary).toContain(`transaction of 1.5 ꜩ from ${ED.public_key_hash} to ${PAYEE}`);

  // consensus for the same key is signed while the transfer waits
  for (const [level, kind] of [[100, 'preattestation'], [100, 'attestation'], [101, 'attestation']] as const) {
    const consensus = attestation(kind, level, 0);
    const signed = await remote.sign(consensus);
    expect(verifySignature(consensus, ED.public_key, signed.prefixSig)).toBe(true);
  }
  expect(transfer.settled).toBe(false);

  const socket = `tezsigner-test-${process.pid}`;
  const cli = `cd ${REPO} && node --conditions=source --import tsx packages/cli/src/main.ts confirm --home ${home.path}; echo "confirm exited $?"; sleep 60`;
  tmux(socket, 'new-session', '-d', '-s', 'confirm', '-x', '220', '-y', '50', cli);
  try {
    const screen = async (pattern: RegExp) => {
      for (let i = 0; i < 1800; i++) {
        const text = tmux(socket, 'capture-pane', '-p', '-J', '-t', 'confirm');
        if (pattern.test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the terminal never showed ${pattern}: ${tmux(socket, 'capture-pane', '-p', '-t', 'confirm')}`);
    };
    const shown = await screen(/Sign it\? \[y\/N\]/);
    expect(shown).toContain(`transaction of 1.5 ꜩ from ${ED.public_key_hash} to ${PAYEE}`);
    expect(shown).toContain(`key ${ED.public_key_hash}, operation`);
    expect(shown).toMatch(/waiting for \d+ s/);
    tmux(socket, 'send-keys', '-t', 'confirm', 'y', 'Enter');
    await screen(/confirm exited 0/);
  } finally {
    tmux(socket, 'kill-server');
  }
  const signed = await transfer.promise;
  expect(verifySignature(`03${bytes}`, ED.public_key, signed.prefixSig)).toBe(true);

  const audit = (await readFile(join(home.path, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  const lines = audit.filter((line) => line['hash'] === held?.hash).map((line) => `${line['decision']} ${line['by']}`);
  expect(lines).toEqual(['held policy', expect.stringMatching(/^approved .+ \(tezsigner confirm\)$/)]);
}, 120_000);

test('a refused transfer gets 403 POLICY_DENIED naming the rule, and no signature', async () => {
  const answer = post(`03${await transferBytes(2_000_000n, 2)}`);
  const [held] = await heldCount(1);
  const run = await runTezsigner(['confirm', '--home', home.path, '--deny', held?.id ?? '', '--json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ answered: [{ id: held?.id, approve: false, answered: true }] });
  const response = await answer;
  expect(response.status).toBe(403);
  const body = (await response.json()) as { error: { code: string; message: string }; signature?: string };
  expect(body.signature).toBeUndefined();
  expect(body.error.code).toBe('POLICY_DENIED');
  expect(body.error.message).toContain(`keys.${ED.public_key_hash}.operations.transaction`);
  expect(body.error.message).toContain('rejected by');
  // that id again, and one never held: neither is pending, and the error says where to look
  const again = await runTezsigner(['confirm', '--home', home.path, '--approve', held?.id ?? '', '--approve', '999']);
  expect(again.stdout).toBe(`request ${held?.id ?? ''} is not pending\nrequest 999 is not pending\n`);
  expect(oneLineError(again)).toBe('tezsigner: error: some requests are not pending (answered already, timed out, or no such id): `tezsigner confirm --json` lists those that are');
});

test('20 transfers held at once are listed and answered in the order they came', async () => {
  const answers: Promise<Response>[] = [];
  for (let n = 1; n <= 20; n++) {
    answers.push(post(`03${await transferBytes(BigInt(n) * 1_000_000n, 100 + n)}`));
    await heldCount(n);
  }
  const listed = await runTezsigner(['confirm', '--home', home.path, '--json']);
  const list = (JSON.parse(listed.stdout) as { pending: { summary: string }[] }).pending;
  expect(list.map((request) => /transaction of (\d+) ꜩ/.exec(request.summary)?.[1])).toEqual(Array.from({ length: 20 }, (_, n) => String(n + 1)));

  // answered in a terminal session: every other one approved
  const typed = Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? 'y' : 'n'));
  const run = await runTezsigner(['confirm', '--home', home.path], { typed });
  expect(run.code).toBe(0);
  expect(run.asked).toHaveLength(20);
  expect([...run.stdout.matchAll(/request \d+: transaction of (\d+) ꜩ/g)].map((match) => match[1])).toEqual(list.map((_, n) => String(n + 1)));
  const statuses = await Promise.all(answers.map(async (answer) => (await answer).status));
  expect(statuses).toEqual(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? 200 : 403)));
  expect(await pending()).toEqual([]);
}, 60_000);

test('a transfer nobody answers in time gets 403 and no signature', async () => {
  const other = await tempHome();
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env: env(other.path) })).code).toBe(0);
  await writeFile(join(other.path, 'policy.json'), JSON.stringify({ default: { operations: { '*': 'confirm' } } }));
  const served = runTezsigner(['serve', '--port', '0', '--metrics-port', '0', '--policy', join(other.path, 'policy.json'), '--confirm-timeout', '0.5'], {
    env: env(other.path),
    stop: stopped,
    onStderr: (text) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1] !== undefined) listening(match[1]);
    },
  });
  try {
    const response = await fetch(`${await Promise.race([url, served.then((run) => Promise.reject(new Error(run.stderr)))])}/keys/${ED.public_key_hash}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(`03${await transferBytes(3_000_000n, 3)}`),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string }; signature?: string };
    expect(body.signature).toBeUndefined();
    expect(body.error.code).toBe('POLICY_DENIED');
    expect(body.error.message).toContain('nobody answered in time');
    const audit = await readFile(join(other.path, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"decision":"timed_out"');
  } finally {
    stop('SIGTERM');
    expect((await served).code).toBe(0);
    await other.remove();
  }
});
