import { request } from 'node:http';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySigner } from '@taquito/signer';
import { approvalBytes, approvalVerifier, bytesToHex, type HeldRequest } from '@tezsigner/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { adminTokenPath, startAdminServer, type RunningAdminServer } from '../src/admin/server.js';
import { PendingConfirmations } from '../src/admin/pending-confirmations.js';

const [APPROVER, OTHER] = keyVectors();
let dir: string;
let pending: PendingConfirmations;
let admin: RunningAdminServer;
let token: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-admin-'));
  pending = new PendingConfirmations({ now: () => Date.UTC(2026, 0, 1) });
  admin = await startAdminServer({ socketPath: join(dir, 'admin.sock'), pending });
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

const HASH_A = `ab${'1'.repeat(62)}`;
const HASH_B = `ab${'2'.repeat(62)}`;
const requestWith = (hash: string, summary = 'transaction of 1 ꜩ'): HeldRequest => ({ key: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb', kind: 'operation', hash, summary, rule: 'default.operations.transaction', reason: 'transaction operations (0x03): confirm' });
const held = (hash = HASH_A) => pending.hold(requestWith(hash));

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
  const answer = held();
  expect((await call('GET', '/pending')).status).toBe(401);
  expect((await call('GET', '/pending', 'b'.repeat(64))).status).toBe(403);
  expect((await call('POST', `/pending/${HASH_A}`, 'short', { approve: true, by: 'mallory' })).status).toBe(403);
  expect(pending.list()).toHaveLength(1);
  pending.decide(HASH_A, false, 'test');
  expect((await answer).outcome).toBe('rejected');
});

test('an answer names the hash of what was shown: an id, a short or shared prefix, another hash are refused', async () => {
  const answerA = held(HASH_A);
  const answerB = held(HASH_B);
  const listed = (await call('GET', '/pending', token)) as { status: number; body: { pending: { id: string; hash: string }[] } };
  expect(listed.body.pending.map((entry) => entry.hash)).toEqual([HASH_A, HASH_B]);
  const [idA, idB] = listed.body.pending.map((entry) => entry.id);
  expect(idA).toMatch(/^[0-9a-f]{16}$/);
  expect(idA).not.toBe(idB);
  // the list position or the id of a request is not an answer
  expect((await call('POST', '/pending/1', token, { approve: true, by: 'alice' })).status).toBe(400);
  expect((await call('POST', `/pending/${idA ?? ''}`, token, { approve: true, by: 'alice' })).status).toBe(404);
  expect((await call('POST', `/pending/${HASH_A.slice(0, 15)}`, token, { approve: true, by: 'alice' })).status).toBe(400);
  // "ab11111111111111" is A's alone; "ab" + 14 digits shared by none
  expect((await call('POST', `/pending/${'f'.repeat(64)}`, token, { approve: true, by: 'alice' })).status).toBe(404);
  expect(await call('POST', `/pending/${HASH_A.slice(0, 16)}`, token, { approve: true, by: 'alice' })).toEqual({ status: 200, body: { hash: HASH_A.slice(0, 16), approved: true, answered: 1 } });
  expect(await answerA).toEqual({ outcome: 'approved', by: 'alice' });
  expect((await call('POST', `/pending/${HASH_A}`, token, { approve: false, by: 'bob' })).status).toBe(404);
  expect(await call('POST', '/deny-all', token, { by: 'carol' })).toEqual({ status: 200, body: { refused: 1 } });
  expect(await answerB).toEqual({ outcome: 'rejected', by: 'carol' });
});

test('a prefix two held hashes share answers neither', async () => {
  const answers = [held(`${'c'.repeat(20)}${'1'.repeat(44)}`), held(`${'c'.repeat(20)}${'2'.repeat(44)}`)];
  expect((await call('POST', `/pending/${'c'.repeat(20)}`, token, { approve: true, by: 'alice' })).status).toBe(400);
  expect(pending.list()).toHaveLength(2);
  pending.close();
  await Promise.all(answers);
});

test('with approver keys, only an approval signed by one of them approves; refusals need none', async () => {
  await admin.close();
  admin = await startAdminServer({ socketPath: admin.socketPath, pending, approvals: approvalVerifier([APPROVER!.public_key]) });
  token = (await readFile(admin.tokenPath, 'utf8')).trim();
  const hash = bytesToHex(new Uint8Array(32).fill(7));
  const answer = held(hash);
  // signed by an independent implementation (Taquito), over the whole hash
  const sign = async (secret: string, signed = hash) => (await new InMemorySigner(secret).sign(bytesToHex(approvalBytes(signed)))).prefixSig;
  expect((await call('POST', `/pending/${hash}`, token, { approve: true, by: 'mallory' })).status).toBe(401);
  expect((await call('POST', `/pending/${hash}`, token, { approve: true, by: 'mallory', signature: await sign(OTHER!.secret_key) })).status).toBe(403);
  expect((await call('POST', `/pending/${hash}`, token, { approve: true, by: 'mallory', signature: await sign(APPROVER!.secret_key, HASH_A) })).status).toBe(403);
  expect(pending.list()).toHaveLength(1);
  expect((await call('POST', `/pending/${hash.slice(0, 16)}`, token, { approve: true, by: 'alice', signature: await sign(APPROVER!.secret_key) })).status).toBe(200);
  expect(await answer).toEqual({ outcome: 'approved', by: `approver ${APPROVER!.public_key_hash}` });
  const refused = held(HASH_B);
  expect((await call('POST', `/pending/${HASH_B}`, token, { approve: false, by: 'bob' })).status).toBe(200);
  expect((await refused).outcome).toBe('rejected');
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
