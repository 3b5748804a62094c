// Approvals bound to exactly what a person saw, with real processes: a `tezsigner serve` with
// approver keys holding packed data and transfers for two keys, `tezsigner confirm` answering
// them, approvals replayed by hand onto other requests and after a restart, and a process that
// fronts the admin socket to show a 90 ꜩ transfer as a 1 ꜩ payout.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalForger } from '@taquito/local-forging';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blake2b256, bytesToHex, hexToBytes } from '@tezsigner/core';
import type { PendingView } from '@tezsigner/http-server';
import { BRANCH, forgeTransfer } from '../../../test-support/operations.js';
import { michelineHex } from '../../../test-support/taquito-operations.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';
import { answerPending, listPending, type AnswerBody } from '../src/policy/admin-client.js';
import { CommandChild } from './support/command-child.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { startServe, type ServeChild } from './support/serve-child.js';

const [A, APPROVER, B] = [keyVectors()[0]!, keyVectors()[1]!, keyVectors()[2]!];
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const REPO = resolve(import.meta.dirname, '../../..');
const POLICY = 'default:\n  michelson_data: confirm\n  operations: { transaction: confirm }\n';
/** Whether `text` holds a terminal control character (C0 but the line feed, DEL, C1): none may reach the operator's screen. */
const hasControl = (text: string) => [...text].some((char) => (char < ' ' && char !== '\n') || (char >= '\u007f' && char <= '\u009f'));

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
let server: ServeChild;
const socket = () => join(home.path, 'admin.sock');

async function startSigner(): Promise<ServeChild> {
  return startServe(['--log-level', 'error', '--policy', join(home.path, 'policy.yaml'), '--approver-keys', join(home.path, 'approvers'), '--confirm-timeout', '120', '--max-held', '20'], env);
}

beforeAll(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'bound approvals passphrase' };
  for (const [key, name] of [[A, 'payout'], [B, 'other']] as const) expect((await runTezsigner(['keys', 'import', key.secret_key, '--name', name], { env })).code).toBe(0);
  await writeFile(join(home.path, 'policy.yaml'), POLICY);
  await writeFile(join(home.path, 'approvers'), `${APPROVER.public_key}\n`);
  await writeFile(join(home.path, 'approver.key'), `${APPROVER.secret_key}\n`);
  await chmod(join(home.path, 'approver.key'), 0o600);
  server = await startSigner();
}, 60_000);
const relays: CommandChild[] = [];
afterAll(async () => {
  for (const relay of relays) relay.kill();
  await server?.stop();
  await home?.remove();
});

const token = async (path = socket()) => (await readFile(`${path.replace(/\.real$/, '')}.token`, 'utf8')).trim();
const hashOf = (hex: string) => bytesToHex(blake2b256(hexToBytes(hex)));
/** What the signer itself holds (through `path`, the real socket while a relay fronts it). */
const held = async (path = socket()) => (await listPending(path, await token(path))).pending.map((view: PendingView) => ({ ...view, hash: hashOf(view.bytes) }));
const heldCount = (count: number, path = socket()) => waitUntil(`the signer to hold ${count} request(s)`, async () => ((await held(path)).length === count ? held(path) : undefined));
const post = (pkh: string, hex: string) => fetch(`${server.url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hex) });
const confirm = (...args: string[]) => runTezsigner(['confirm', '--home', home.path, '--approver-key', join(home.path, 'approver.key'), ...args], { env });
const denyAll = () => runTezsigner(['confirm', '--home', home.path, '--deny-all'], { env });
/** Packed data (0x05) as Taquito's own encoder packs it. */
const packed = (value: unknown) => `05${michelineHex(value)}`;

/** The audit lines about `hash`, as "decision by". */
async function auditOf(hash: string) {
  const lines = (await readFile(join(home.path, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  return lines.filter((line) => line['hash'] === hash);
}

/** The admin relay (support/admin-relay.ts) in front of the signer's socket, as its own process. */
async function startRelay(mode: 'pass' | 'substitute' | 'rewrite', fake?: string) {
  const record = join(home.path, `relay-${mode}.jsonl`);
  await writeFile(record, '');
  const node = await nodeEntry('packages/cli/test/support/admin-relay.ts');
  const child = new CommandChild(process.execPath, [...node.args, socket(), mode, record, ...(fake === undefined ? [] : [fake])], { cwd: REPO, env: { ...process.env, ...node.env } });
  relays.push(child);
  await waitUntil('the relay to bind the socket', () => child.stdout.includes('relaying'));
  return {
    real: `${socket()}.real`,
    recorded: async () => (await readFile(record, 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { path: string; body: AnswerBody }),
    stop: async () => {
      await child.stop('SIGTERM');
    },
  };
}

test('the same packed data held for two keys, and twice for one: one approval answers one request, named by its id', async () => {
  const bytes = packed({ string: 'pay the bakers of cycle 812' });
  const hash = hashOf(bytes);
  const answers = [post(A.public_key_hash, bytes), post(B.public_key_hash, bytes)];
  await heldCount(2);
  answers.push(post(A.public_key_hash, bytes));
  const [first, forB, second] = await heldCount(3);
  // by the hash alone it names three: it decides none, and says how to name one
  const ambiguous = await confirm('--approve', hash);
  expect(ambiguous.code).not.toBe(0);
  expect(ambiguous.stdout).toBe(
    `${hash}: no request decided: 3 held requests have these bytes (${first?.id ?? ''}:${hash} for ${A.public_key_hash}, ${forB?.id ?? ''}:${hash} for ${B.public_key_hash}, ${second?.id ?? ''}:${hash} for ${A.public_key_hash}): answer one of them as <id>:<hash>\n`,
  );
  expect(await held()).toHaveLength(3);
  const approved = await confirm('--approve', `${first?.id ?? ''}:${hash}`);
  expect(approved.code, approved.stderr).toBe(0);
  expect(approved.stdout).toBe(`${first?.id ?? ''}:${hash}: 1 request decided (request ${first?.id ?? ''} for ${A.public_key_hash}, approved)\n`);
  const signed = await answers[0];
  expect(signed?.status).toBe(200);
  expect(verifySignature(bytes, A.public_key, ((await signed?.json()) as { signature: string }).signature)).toBe(true);
  // B's request and A's second, the same bytes, stay held
  expect((await held()).map((entry) => entry.id)).toEqual([forB?.id, second?.id]);
  expect((await denyAll()).stdout).toBe('2 pending request(s) refused\n');
  expect((await Promise.all(answers.slice(1))).map((response) => response.status)).toEqual([403, 403]);
  expect((await auditOf(hash)).filter((line) => line['decision'] === 'approved').map((line) => `${line['key']} ${line['by']}`)).toEqual([`${A.public_key_hash} approver ${APPROVER.public_key_hash}`]);
});

test('an approver-signed approval replayed onto another key, another request and after a restart decides nothing, and each is audited', async () => {
  const bytes = packed({ prim: 'Pair', args: [{ string: PAYEE }, { int: '125000' }] });
  const hash = hashOf(bytes);
  const forA = post(A.public_key_hash, bytes);
  await heldCount(1);
  const forB = post(B.public_key_hash, bytes);
  await heldCount(2);
  const againA = post(A.public_key_hash, bytes);
  const [a, b, a2] = await heldCount(3);
  // the operator approves A's through a relay that keeps a copy of what it passes on
  const relay = await startRelay('pass');
  const approved = await confirm('--approve', `${a?.id ?? ''}:${hash}`);
  const [captured] = await relay.recorded();
  await relay.stop();
  expect(approved.code, approved.stderr).toBe(0);
  expect((await forA).status).toBe(200);
  const approval = captured?.body as AnswerBody;
  expect(approval.signature).toMatch(/^edsig/);
  const replay = async (id: string, changes: Partial<AnswerBody> = {}) => answerPending(socket(), await token(), id, { ...approval, ...changes });
  expect(await replay(a?.id ?? '')).toEqual({ decided: 0, reason: expect.stringContaining(`no request ${a?.id ?? ''} is held here`) as unknown });
  expect(await replay(b?.id ?? '')).toEqual({ decided: 0, reason: `request ${b?.id ?? ''} is for ${B.public_key_hash}, not ${A.public_key_hash}` });
  expect(await replay(b?.id ?? '', { key: B.public_key_hash })).toEqual({ decided: 0, reason: expect.stringContaining('not signed by an approver key') as unknown });
  expect(await replay(a2?.id ?? '')).toEqual({ decided: 0, reason: expect.stringContaining('not signed by an approver key') as unknown });
  expect(await held()).toHaveLength(2);

  // after a restart (a new signer instance) the same bytes held again for A, under a new id
  await server.stop();
  expect((await Promise.all([forB, againA])).map((response) => response.status)).toEqual([403, 403]);
  server = await startSigner();
  const afterRestart = post(A.public_key_hash, bytes);
  const [fresh] = await heldCount(1);
  expect(await replay(fresh?.id ?? '')).toEqual({ decided: 0, reason: expect.stringContaining('not signed by an approver key') as unknown });
  expect(await replay(a?.id ?? '')).toEqual({ decided: 0, reason: expect.stringContaining('is held here') as unknown });
  expect(await held()).toHaveLength(1);
  await denyAll();
  expect((await afterRestart).status).toBe(403);
  const refusals = (await auditOf(hash)).filter((line) => line['decision'] === 'answer_refused');
  expect(refusals).toHaveLength(6);
  expect(refusals.every((line) => line['reason']?.startsWith('an approval of request '))).toBe(true);
  expect((await auditOf(hash)).filter((line) => line['decision'] === 'approved')).toHaveLength(1);
}, 120_000);

describe('a process that fronts the admin socket and shows a held 90 ꜩ transfer as a 1 ꜩ payout', () => {
  const transfer = (tez: number, counter: number) => forgeTransfer({ source: A.public_key_hash, destination: PAYEE, amount: BigInt(tez) * 1_000_000n, counter });

  test.each([
    ['relays the approval as it was signed', 'substitute', (id: string, real: string, shown: string) => `request ${id} holds bytes whose hash is ${hashOf(real)}, not ${hashOf(shown)}: what was shown is not what this signer holds`],
    ['puts the hash of the real transfer into the approval it relays', 'rewrite', (id: string) => `the approval is not signed by an approver key for this signer instance, request ${id}`],
  ] as const)('a relay that %s can withhold or delay, never get the 90 ꜩ signed', async (_name, mode, reason) => {
    const real = await transfer(90, 9000 + mode.length);
    const shown = await transfer(1, 9000 + mode.length);
    const answer = post(A.public_key_hash, real);
    const [heldRequest] = await heldCount(1);
    const relay = await startRelay(mode, shown);
    const run = await runTezsigner(['confirm', '--home', home.path, '--approver-key', join(home.path, 'approver.key')], { env, typed: ['y'] });
    // the operator saw a 1 ꜩ payout (decoded by confirm from the bytes it was given), approved it, and nothing was decided
    expect(run.stdout).toContain(`transaction of 1 ꜩ from ${A.public_key_hash} to ${PAYEE}`);
    expect(run.stdout).not.toContain('90 ꜩ');
    expect(run.stdout).toContain(`request ${hashOf(shown)}`);
    expect(run.stdout).toContain(`no request decided: ${reason(heldRequest?.id ?? '', real, shown)}`);
    // what the relay put in the reason reached the terminal escaped
    expect(hasControl(run.stdout)).toBe(false);
    expect(run.stdout).toContain('\\u001b[2J\\u009b31mall clear\\u0007');
    expect((await relay.recorded()).map((entry) => entry.body.hash)).toEqual([hashOf(shown)]);
    expect(await held(relay.real)).toHaveLength(1);
    await relay.stop();
    await denyAll();
    expect((await answer).status).toBe(403);
    const audit = (await auditOf(hashOf(real))).map((line) => `${line['decision']} ${line['by']}`);
    expect(audit[0]).toBe('held policy');
    expect(audit[1]).toMatch(mode === 'substitute' ? new RegExp(`^answer_refused approver ${APPROVER.public_key_hash}$`) : /^answer_refused .+ \(tezsigner confirm\)$/);
    expect(audit.slice(2)).toEqual([expect.stringMatching(/^rejected /)]);
  }, 60_000);
});

test('a 1.9 KB packed value is shown whole, every one of its 40 values, the 34th too', async () => {
  const values = Array.from({ length: 40 }, (_, n) => ({ string: n === 33 ? 'send 50000 tez to tz1attacker' : `memo ${String(n).padStart(2, '0')}: payout of cycle 812 to a delegator` }));
  const bytes = packed(values);
  expect(bytes.length / 2).toBeGreaterThan(1800);
  const answer = post(A.public_key_hash, bytes);
  await heldCount(1);
  const run = await runTezsigner(['confirm', '--home', home.path], { env, typed: ['n'] });
  expect(run.stdout).toContain('Micheline expression, 1.9 KB, a sequence of 40');
  const lines = run.stdout.split('\n');
  for (const value of values) expect(lines.filter((line) => line.includes(`"${value.string}"`))).toHaveLength(1);
  expect(lines.find((line) => line.includes('tz1attacker'))?.trim()).toBe('"send 50000 tez to tz1attacker" ;');
  expect(run.stdout).toContain('refused: 1 request decided');
  expect((await answer).status).toBe(403);
}, 60_000);

test('control characters in a Michelson string (C0, DEL, C1) reach the terminal escaped, in packed data and in an operation\'s parameters', async () => {
  // bytes as signed: ESC [2J, CSI (0x9b), DEL, NEL (0x85), NUL; the string's length first
  const raw = [0x1b, 0x5b, 0x32, 0x4a, 0x9b, 0x33, 0x31, 0x6d, 0x7f, 0x85, 0x00, 0x6f, 0x6b];
  const bytes = `0501${raw.length.toString(16).padStart(8, '0')}${Buffer.from(raw).toString('hex')}`;
  const parameter = await new LocalForger().forge({
    branch: BRANCH,
    contents: [{ kind: 'transaction', source: A.public_key_hash, fee: '1400', counter: '77', gas_limit: '20000', storage_limit: '0', amount: '0', destination: 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi', parameters: { entrypoint: 'default', value: { string: 'memo\u009b31m\u007f\u0085' } } }] as never,
  });
  const answers = [post(A.public_key_hash, bytes), post(A.public_key_hash, `03${parameter}`)];
  await heldCount(2);
  const run = await runTezsigner(['confirm', '--home', home.path], { env, typed: ['n', 'n'] });
  const listed = await runTezsigner(['confirm', '--home', home.path, '--json'], { env });
  for (const output of [run.stdout, listed.stdout]) expect(hasControl(output)).toBe(false);
  expect(run.stdout).toContain('"\\x1b[2J\\x9b31m\\x7f\\x85\\x00ok"');
  expect(run.stdout).toContain('memoÂ\\u009b31m\\u007fÂ\\u0085');
  expect((await Promise.all(answers)).map((response) => response.status)).toEqual([403, 403]);
}, 60_000);
