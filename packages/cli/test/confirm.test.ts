// A real `tezsigner serve` holding transfers for confirmation, answered from `tezsigner confirm`
// in a real terminal (tmux), while consensus signing for the same key goes on.
import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { b58Encode, PrefixV2, verifySignature } from '@taquito/utils';
import { LocalForger } from '@taquito/local-forging';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { BRANCH, forgeTransfer } from '../../../test-support/operations.js';
import { attestation } from '../../http-server/test/support/consensus-bytes.js';
import { blake2b256, bytesToHex, hexToBytes } from '@tezsigner/core';
import type { PendingView } from '@tezsigner/http-server';
import { listPending } from '../src/policy/admin-client.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';
import { REPO, startServeProcess, type ServeProcess } from './support/serve-process.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

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
  server = await startServeProcess(['--policy', join(home.path, 'policy.yaml'), '--max-held', '20', '--confirm-timeout', '120'], env(home.path));
});
afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

const token = () => readFile(join(home.path, 'admin.sock.token'), 'utf8').then((text) => text.trim());
/** What the signer holds, each with the hash of its bytes. */
const pending = async () => (await listPending(join(home.path, 'admin.sock'), await token())).pending.map(withHash);
const withHash = (view: PendingView) => ({ ...view, hash: bytesToHex(blake2b256(hexToBytes(view.bytes))) });

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

const post = (hex: string, signal?: AbortSignal) =>
  fetch(`${server.url}/keys/${ED.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hex), ...(signal === undefined ? {} : { signal }) });

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
  expect(held?.bytes).toBe(`03${bytes}`);

  // consensus for the same key is signed while the transfer waits
  for (const [level, kind] of [[100, 'preattestation'], [100, 'attestation'], [101, 'attestation']] as const) {
    const consensus = attestation(kind, level, 0);
    const signed = await remote.sign(consensus);
    expect(verifySignature(consensus, ED.public_key, signed.prefixSig)).toBe(true);
  }
  expect(transfer.settled).toBe(false);

  const socket = `tezsigner-test-${process.pid}`;
  const node = await nodeEntry('packages/cli/src/main.ts');
  const cli = `cd ${REPO} && NODE_PATH=${node.env['NODE_PATH']} node ${node.args.join(' ')} confirm --home ${home.path}; echo "confirm exited $?"; sleep 60`;
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
    expect(shown).toContain(`request ${held?.hash ?? ''}`);
    tmux(socket, 'send-keys', '-t', 'confirm', 'y', 'Enter');
    expect(await screen(/confirm exited 0/)).toContain('approved: 1 request decided');
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
  const run = await runTezsigner(['confirm', '--home', home.path, '--deny', held?.hash ?? '', '--json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ answered: [{ given: held?.hash, approve: false, request: held?.id, key: ED.public_key_hash, hash: held?.hash, decided: 1 }] });
  const response = await answer;
  expect(response.status).toBe(403);
  const body = (await response.json()) as { error: { code: string; message: string }; signature?: string };
  expect(body.signature).toBeUndefined();
  expect(body.error.code).toBe('POLICY_DENIED');
  expect(body.error.message).toContain(`keys.${ED.public_key_hash}.operations.transaction`);
  expect(body.error.message).toContain('rejected by');
  // that hash again, and one never held: neither is pending, and the error says where to look
  const neverHeld = 'f'.repeat(64);
  const again = await runTezsigner(['confirm', '--home', home.path, '--approve', held?.hash ?? '', '--approve', neverHeld]);
  const none = 'no request decided: no request held has bytes with that hash (answered already, timed out, its client went away, or no such hash)';
  expect(again.stdout).toBe(`${held?.hash ?? ''}: ${none}\n${neverHeld}: ${none}\n`);
  expect(oneLineError(again)).toBe('tezsigner: error: some answers decided no request (see why above): `tezsigner confirm --json` lists what is held');
});

test('20 transfers held at once are listed and answered in the order they came', async () => {
  const answers: Promise<Response>[] = [];
  for (let n = 1; n <= 20; n++) {
    answers.push(post(`03${await transferBytes(BigInt(n) * 1_000_000n, 100 + n)}`));
    await heldCount(n);
  }
  // the 21st is refused at once (the cap is --max-held 20), and consensus still has its room
  const refused = await post(`03${await transferBytes(21_000_000n, 121)}`);
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('OVERLOADED');
  expect((await post(attestation('attestation', 300, 0))).status).toBe(200);
  const listed = await runTezsigner(['confirm', '--home', home.path, '--json']);
  const list = (JSON.parse(listed.stdout) as { pending: { summary: string }[] }).pending;
  expect(list.map((request) => /transaction of (\d+) ꜩ/.exec(request.summary)?.[1])).toEqual(Array.from({ length: 20 }, (_, n) => String(n + 1)));

  // answered in a terminal session: every other one approved
  const typed = Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? 'y' : 'n'));
  const run = await runTezsigner(['confirm', '--home', home.path], { typed });
  expect(run.code).toBe(0);
  expect(run.asked).toHaveLength(20);
  expect([...run.stdout.matchAll(/request [0-9a-f]{64}\n {2}transaction of (\d+) ꜩ/g)].map((match) => match[1])).toEqual(list.map((_, n) => String(n + 1)));
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

/** The audit lines of one request, as "decision by". */
async function auditOf(hash: string | undefined, dir = home.path) {
  const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  return audit.filter((line) => line['hash'] === hash).map((line) => `${line['decision']} ${line['by']}`);
}

test('an approval names the hash shown: a list position, an id or another hash is refused', async () => {
  const bytes = `03${await transferBytes(4_000_000n, 400)}`;
  const answer = post(bytes);
  const [held] = await heldCount(1);
  const approve = (value: string) => runTezsigner(['confirm', '--home', home.path, '--approve', value]);
  // "1" was request 1 before the last restart: it names nothing now
  expect((await approve('1')).stdout).toContain('1: no request decided: name a held request by the hash tezsigner confirm shows (at least 16 hex digits)');
  expect((await approve(held?.id ?? '')).stdout).toContain('no request held has bytes with that hash');
  expect((await approve('f'.repeat(64))).stdout).toContain('no request held has bytes with that hash');
  expect(await pending()).toHaveLength(1);
  const approved = await approve(held?.hash.slice(0, 16) ?? '');
  expect(approved.code, approved.stderr).toBe(0);
  const response = await answer;
  expect(response.status).toBe(200);
  expect(verifySignature(bytes, ED.public_key, ((await response.json()) as { signature: string }).signature)).toBe(true);
});

test('--deny-all refuses every held request at once', async () => {
  const answers = [post(`03${await transferBytes(1n, 500)}`), post(`03${await transferBytes(2n, 501)}`)];
  await heldCount(2);
  const run = await runTezsigner(['confirm', '--home', home.path, '--deny-all']);
  expect(run.stdout).toBe('2 pending request(s) refused\n');
  expect((await Promise.all(answers)).map((response) => response.status)).toEqual([403, 403]);
});

test('a request whose client disconnects leaves confirm, the operator is told, the audit says abandoned', async () => {
  const client = new AbortController();
  const answer = post(`03${await transferBytes(5_000_000n, 600)}`, client.signal).catch((err: unknown) => err);
  const [held] = await heldCount(1);
  client.abort();
  await answer;
  for (let i = 0; i < 200 && (await pending()).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await pending()).toEqual([]);
  expect(server.stderr()).toContain(`held request ${held?.hash ?? ''} dropped, its client disconnected`);
  expect((await runTezsigner(['confirm', '--home', home.path, '--approve', held?.hash ?? ''])).code).not.toBe(0);
  expect(await auditOf(held?.hash)).toEqual(['held policy', 'abandoned client']);
});

test('the confirm view shows the hash, the branch, a batch\'s totals and every parameter of a 40-recipient token transfer', async () => {
  const recipients = Array.from({ length: 40 }, () => b58Encode(randomBytes(20), PrefixV2.Ed25519PublicKeyHash));
  const manager = (counter: number) => ({ source: ED.public_key_hash, fee: '1400', counter: String(counter), gas_limit: '20000', storage_limit: '257' });
  const fa2 = {
    entrypoint: 'transfer',
    value: [{ prim: 'Pair', args: [{ string: ED.public_key_hash }, recipients.map((to, n) => ({ prim: 'Pair', args: [{ string: to }, { prim: 'Pair', args: [{ int: '0' }, { int: String(n + 1) }] }] }))] }],
  };
  const forged = await new LocalForger().forge({
    branch: BRANCH,
    contents: [
      { kind: 'transaction', ...manager(700), amount: '0', destination: 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi', parameters: fa2 },
      { kind: 'transaction', ...manager(701), amount: '2000000', destination: PAYEE },
    ] as never,
  });
  const answer = post(`03${forged}`);
  const [held] = await heldCount(1);
  const run = await runTezsigner(['confirm', '--home', home.path], { typed: ['n'] });
  expect(run.stdout).toContain(`request ${held?.hash ?? ''}`);
  expect(run.stdout).toContain(`branched on ${BRANCH}`);
  // 2 ꜩ sent, two storage_limits of 257 bytes at 250 mutez; two fees of 0.0014 ꜩ
  expect(run.stdout).toContain('takes at most 2.1285 ꜩ (sent, burnt for storage, locked as bonds) plus 0.0028 ꜩ in fees');
  for (const to of recipients) expect(run.stdout).toContain(to);
  expect((await answer).status).toBe(403);
});

describe('a second signer on the same home, with its own admin socket and approver keys', () => {
  let second: ServeProcess;
  const approver = keyVectors()[1]!;
  beforeAll(async () => {
    const tokenBefore = await token();
    // without a socket of its own it is refused, naming --admin-socket, and the first keeps its token
    const refused = await runTezsigner(['serve', '--port', '0', '--policy', join(home.path, 'policy.yaml')], { env: env(home.path) });
    expect(refused.stderr).toContain('--admin-socket');
    await writeFile(join(home.path, 'approvers'), `${approver.public_key}\n`);
    await writeFile(join(home.path, 'approver.key'), `${approver.secret_key}\n`);
    await chmod(join(home.path, 'approver.key'), 0o600);
    second = await startServeProcess(
      ['--policy', join(home.path, 'policy.yaml'), '--admin-socket', join(home.path, 'second.sock'), '--approver-keys', join(home.path, 'approvers'), '--confirm-timeout', '120'],
      env(home.path),
    );
    expect(await token()).toBe(tokenBefore);
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
  });

  test('each keeps a working confirm; the second takes only approvals signed by an approver key', async () => {
    const socket = join(home.path, 'second.sock');
    const bytes = `03${await transferBytes(7_000_000n, 800)}`;
    const answer = fetch(`${second.url}/keys/${ED.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bytes) });
    const held = await waitUntil('the second signer to hold the transfer', async () => {
      const [first] = (await listPending(socket, (await readFile(`${socket}.token`, 'utf8')).trim())).pending;
      return first === undefined ? undefined : withHash(first);
    });
    // the first signer's confirm still works, and holds nothing of the second's
    expect(await pending()).toEqual([]);
    const confirm = (...extra: string[]) => runTezsigner(['confirm', '--home', home.path, '--admin-socket', socket, '--approve', held?.hash ?? '', ...extra]);
    const unsigned = await confirm();
    expect(unsigned.stdout).toContain('no request decided: this signer takes only approvals signed by an approver key');
    expect(unsigned.code).not.toBe(0);
    const approved = await confirm('--approver-key', join(home.path, 'approver.key'));
    expect(approved.code, approved.stderr).toBe(0);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(verifySignature(bytes, ED.public_key, ((await response.json()) as { signature: string }).signature)).toBe(true);
    // the unsigned approval decided nothing, and the audit says so
    expect(await auditOf(held?.hash)).toEqual(['held policy', expect.stringMatching(/^answer_refused .+ \(tezsigner confirm\)$/), `approved approver ${approver.public_key_hash}`]);
  });
});
