import { request } from 'node:http';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySigner } from '@taquito/signer';
import { approvalBytes, approvalVerifier, blake2b256, bytesToHex, hexToBytes, MemoryAuditLog, type ApprovalStatement, type HeldRequest } from '@tezsigner/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { adminTokenPath, startAdminServer, type RunningAdminServer } from '../src/admin/server.js';
import { PendingConfirmations } from '../src/admin/pending-confirmations.js';
import type { PendingList } from '../src/admin/app.js';

const [APPROVER, OTHER] = keyVectors();
let dir: string;
let pending: PendingConfirmations;
let admin: RunningAdminServer;
let token: string;
let audit: MemoryAuditLog;
const NOW = Date.UTC(2026, 0, 1);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-admin-'));
  pending = new PendingConfirmations({ now: () => NOW });
  audit = new MemoryAuditLog();
  admin = await startAdminServer({ socketPath: join(dir, 'admin.sock'), pending, audit, now: () => NOW });
  token = (await readFile(admin.tokenPath, 'utf8')).trim();
});
afterEach(async () => {
  pending.close();
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

function call(method: string, path: string, bearer?: string, body?: unknown, socketPath = admin.socketPath): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: { ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }), 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const KEY_A = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const KEY_B = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const PACKED = hexToBytes('0501000000057061792031');
const OTHER_PACKED = hexToBytes('050100000009706179203930303030');
const hashOf = (bytes: Uint8Array) => bytesToHex(blake2b256(bytes));
const requestWith = (key: string, bytes: Uint8Array): HeldRequest => ({ key, kind: 'michelson_data', hash: hashOf(bytes), bytes, summary: 'Michelson data (0x05): "pay 1"', rule: 'default.michelson_data', reason: 'Michelson data requests (0x05): confirm' });
const held = (key = KEY_A, bytes = PACKED) => pending.hold(requestWith(key, bytes));
const listed = async () => (await call('GET', '/pending', token)).body as PendingList;
const answer = (id: string, body: Record<string, unknown>) => call('POST', `/pending/${id}`, token, { approve: true, by: 'alice', key: KEY_A, hash: hashOf(PACKED), ...body });

test('the token is written 0600 beside its socket once bound, and removed on stop', async () => {
  expect(admin.tokenPath).toBe(adminTokenPath(admin.socketPath));
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  expect((await stat(admin.tokenPath)).mode & 0o777).toBe(0o600);
  expect((await stat(admin.socketPath)).mode & 0o777).toBe(0o600);
  await admin.close();
  await expect(stat(admin.tokenPath)).rejects.toMatchObject({ code: 'ENOENT' });
  admin = await startAdminServer({ socketPath: admin.socketPath, pending });
  // a fresh token each start: the old one no longer works
  expect((await call('GET', '/pending', token)).status).toBe(403);
});

test('without the token nothing is listed or answered', async () => {
  const waiting = held();
  const [entry] = pending.list();
  expect((await call('GET', '/pending')).status).toBe(401);
  expect((await call('GET', '/pending', 'b'.repeat(64))).status).toBe(403);
  expect((await call('POST', `/pending/${entry?.id ?? ''}`, 'short', { approve: true, by: 'mallory', key: KEY_A, hash: hashOf(PACKED) })).status).toBe(403);
  expect(pending.list()).toHaveLength(1);
  pending.close();
  expect((await waiting).outcome).toBe('rejected');
});

test('the list gives each request\'s id, key and bytes, and this signer instance', async () => {
  const waiting = held();
  expect(await listed()).toEqual({
    signer: pending.instance,
    approver_keys: false,
    pending: [{ id: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown, key: KEY_A, bytes: bytesToHex(PACKED), rule: 'default.michelson_data', reason: 'Michelson data requests (0x05): confirm', received_at: '2026-01-01T00:00:00.000Z', age_ms: 0 }],
  });
  pending.close();
  await waiting;
});

test('one answer decides one request: the one with its id, for its key, with its bytes; anything else decides nothing and is audited', async () => {
  const forA = held(KEY_A);
  const forB = held(KEY_B);
  const againForA = held(KEY_A);
  const [a, b, a2] = (await listed()).pending.map((entry) => entry.id);
  // a malformed answer is a 400
  expect((await call('POST', '/pending/1', token, { approve: true, by: 'alice', key: KEY_A, hash: hashOf(PACKED) })).status).toBe(400);
  expect((await answer(a ?? '', { hash: hashOf(PACKED).slice(0, 16) })).status).toBe(400);
  // well formed, but not that request's key or bytes, or no such request: decides nothing, says why
  const refusals = [
    [await answer(b ?? '', {}), `request ${b ?? ''} is for ${KEY_B}, not ${KEY_A}`],
    [await answer(a ?? '', { hash: hashOf(OTHER_PACKED) }), `request ${a ?? ''} holds bytes whose hash is ${hashOf(PACKED)}, not ${hashOf(OTHER_PACKED)}: what was shown is not what this signer holds`],
    [await answer('0123456789abcdef', {}), 'no request 0123456789abcdef is held here'],
  ] as const;
  for (const [result, reason] of refusals) {
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ approve: true, decided: 0, reason: expect.stringContaining(reason) as unknown });
  }
  expect(pending.list()).toHaveLength(3);
  expect(audit.records.map((record) => [record.decision, record.by, record.key])).toEqual([
    ['answer_refused', 'alice', KEY_B],
    ['answer_refused', 'alice', KEY_A],
    ['answer_refused', 'alice', KEY_A],
  ]);
  expect(audit.records[1]?.reason).toContain(`an approval of request ${a ?? ''} decided nothing: request ${a ?? ''} holds bytes`);
  // the right one: A's first request only; B's and A's second (same bytes) stay held
  expect(await answer(a ?? '', {})).toEqual({ status: 200, body: { request: a, approve: true, decided: 1 } });
  expect(await forA).toEqual({ outcome: 'approved', by: 'alice' });
  expect(pending.list().map((entry) => entry.id)).toEqual([b, a2]);
  expect((await answer(a ?? '', {})).body).toMatchObject({ decided: 0, reason: expect.stringContaining('is held here') as unknown });
  expect(await call('POST', `/pending/${b ?? ''}`, token, { approve: false, by: 'bob', key: KEY_B, hash: hashOf(PACKED) })).toEqual({ status: 200, body: { request: b, approve: false, decided: 1 } });
  expect(await forB).toEqual({ outcome: 'rejected', by: 'bob' });
  expect(await call('POST', '/deny-all', token, { by: 'carol' })).toEqual({ status: 200, body: { refused: 1 } });
  expect(await againForA).toEqual({ outcome: 'rejected', by: 'carol' });
});

describe('with approver keys', () => {
  beforeEach(async () => {
    await admin.close();
    admin = await startAdminServer({ socketPath: admin.socketPath, pending, audit, approvals: approvalVerifier([APPROVER!.public_key]), now: () => NOW });
    token = (await readFile(admin.tokenPath, 'utf8')).trim();
  });

  /** Signed by an independent implementation (Taquito). */
  const sign = async (secret: string, statement: ApprovalStatement) => (await new InMemorySigner(secret).sign(bytesToHex(approvalBytes(statement)))).prefixSig;

  test('only an approval an approver key signed for this instance, request, key, chain, hash and a later expiry decides', async () => {
    const forA = held(KEY_A);
    const forB = held(KEY_B);
    const [a, b] = (await listed()).pending.map((entry) => entry.id ?? '');
    const statement: ApprovalStatement = { signer: pending.instance, request: a ?? '', key: KEY_A, hash: hashOf(PACKED), expires: NOW + 60_000 };
    const signed = async (changes: Partial<ApprovalStatement>, secret = APPROVER!.secret_key) => {
      const values = { ...statement, ...changes };
      return { signature: await sign(secret, values), expires: values.expires };
    };
    const refused = async (id: string, body: Record<string, unknown>) => ((await answer(id, body)).body as { decided: number; reason: string }).reason;
    expect(await refused(a ?? '', {})).toContain('takes only approvals signed by an approver key');
    expect(await refused(a ?? '', await signed({}, OTHER!.secret_key))).toContain('not signed by an approver key');
    expect(await refused(a ?? '', await signed({ signer: 'f'.repeat(32) }))).toContain('not signed by an approver key');
    expect(await refused(a ?? '', await signed({ request: b ?? '' }))).toContain('not signed by an approver key');
    expect(await refused(a ?? '', await signed({ chain: 'NetXdQprcVkpaWU' }))).toContain('not signed by an approver key');
    expect(await refused(a ?? '', await signed({ expires: NOW }))).toContain('the approval expired at 2026-01-01T00:00:00.000Z');
    // A's approval carried over to B's request (same bytes): signed for A's id and key, not B's
    const forAsApproval = await signed({});
    expect(await refused(b ?? '', { key: KEY_B, ...forAsApproval })).toContain('not signed by an approver key');
    expect(pending.list()).toHaveLength(2);
    expect(audit.records.map((record) => `${record.decision} ${record.by}`)).toEqual([
      'answer_refused alice',
      'answer_refused alice',
      'answer_refused alice',
      'answer_refused alice',
      'answer_refused alice',
      `answer_refused approver ${APPROVER!.public_key_hash}`,
      'answer_refused alice',
    ]);
    expect((await answer(a ?? '', forAsApproval)).body).toEqual({ request: a, approve: true, decided: 1 });
    expect(await forA).toEqual({ outcome: 'approved', by: `approver ${APPROVER!.public_key_hash}` });
    // a refusal needs no signature
    expect((await call('POST', `/pending/${b ?? ''}`, token, { approve: false, by: 'bob', key: KEY_B, hash: hashOf(PACKED) })).body).toMatchObject({ decided: 1 });
    expect((await forB).outcome).toBe('rejected');
  });

  test('an approval signed for the bytes shown does not approve other bytes held under that id', async () => {
    const waiting = held(KEY_A, OTHER_PACKED);
    const [id] = (await listed()).pending.map((entry) => entry.id);
    // what a relay shows and what the approver signs: PACKED; what the signer holds: OTHER_PACKED
    const shown = { signer: pending.instance, request: id ?? '', key: KEY_A, hash: hashOf(PACKED), expires: NOW + 60_000 };
    const signature = await sign(APPROVER!.secret_key, shown);
    expect((await answer(id ?? '', { signature, expires: shown.expires })).body).toMatchObject({ decided: 0, reason: expect.stringContaining('not what this signer holds') as unknown });
    // and the same signature with the hash the signer holds put in its place
    expect((await answer(id ?? '', { hash: hashOf(OTHER_PACKED), signature, expires: shown.expires })).body).toMatchObject({ decided: 0, reason: expect.stringContaining('not signed by an approver key') as unknown });
    expect(audit.records.map((record) => `${record.decision} ${record.by} ${record.hash}`)).toEqual([
      `answer_refused approver ${APPROVER!.public_key_hash} ${hashOf(OTHER_PACKED)}`,
      `answer_refused alice ${hashOf(OTHER_PACKED)}`,
    ]);
    expect(pending.list()).toHaveLength(1);
    pending.close();
    await waiting;
  });
});

test('a second signer on the same socket is refused naming --admin-socket; a dead one\'s socket is replaced', async () => {
  await expect(startAdminServer({ socketPath: admin.socketPath, pending })).rejects.toThrow(/already serves the admin socket .* --admin-socket/);
  await admin.close();
  // a file nobody answers on (what a killed signer leaves) is replaced
  await writeFile(admin.socketPath, '');
  admin = await startAdminServer({ socketPath: admin.socketPath, pending });
  expect((await call('GET', '/pending', (await readFile(admin.tokenPath, 'utf8')).trim())).status).toBe(200);
});

test('a socket in a folder others can write is refused before anything is written there', async () => {
  const shared = join(dir, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o777);
  await expect(startAdminServer({ socketPath: join(shared, 'admin.sock'), pending })).rejects.toThrow(/writable by others.*--admin-socket/);
  await expect(stat(join(shared, 'admin.sock.token'))).rejects.toMatchObject({ code: 'ENOENT' });
});
