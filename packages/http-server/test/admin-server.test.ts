import { request } from 'node:http';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startAdminServer, type RunningAdminServer } from '../src/admin/server.js';
import { PendingConfirmations } from '../src/admin/pending-confirmations.js';

const TOKEN = 'a'.repeat(64);
let dir: string;
let pending: PendingConfirmations;
let admin: RunningAdminServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-admin-'));
  pending = new PendingConfirmations({ now: () => Date.UTC(2026, 0, 1) });
  admin = await startAdminServer({ socketPath: join(dir, 'admin.sock'), token: TOKEN, pending });
});
afterEach(async () => {
  pending.close();
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: admin.socketPath, method, path, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' } },
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

const held = () => pending.hold({ key: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb', kind: 'operation', hash: '00', summary: 'transaction of 1 ꜩ', rule: 'default.operations.transaction', reason: 'transaction operations (0x03): confirm' });

test('without the token nothing is listed or answered', async () => {
  const answer = held();
  expect((await call('GET', '/pending')).status).toBe(401);
  expect((await call('GET', '/pending', 'b'.repeat(64))).status).toBe(403);
  expect((await call('POST', '/pending/1', 'short', { approve: true, by: 'mallory' })).status).toBe(403);
  expect(pending.list()).toHaveLength(1);
  pending.decide('1', false, 'test');
  expect((await answer).outcome).toBe('rejected');
  expect((await stat(admin.socketPath)).mode & 0o777).toBe(0o600);
});

test('with it: list, answer, and a second answer finds nothing pending', async () => {
  const answer = held();
  const listed = await call('GET', '/pending', TOKEN);
  expect(listed).toMatchObject({ status: 200, body: { pending: [{ id: '1', summary: 'transaction of 1 ꜩ', received_at: '2026-01-01T00:00:00.000Z' }] } });
  expect((await call('POST', '/pending/1', TOKEN, { approve: 'yes' })).status).toBe(400);
  expect(await call('POST', '/pending/1', TOKEN, { approve: true, by: 'alice' })).toEqual({ status: 200, body: { id: '1', approved: true } });
  expect(await answer).toEqual({ outcome: 'approved', by: 'alice' });
  expect((await call('POST', '/pending/1', TOKEN, { approve: false, by: 'bob' })).status).toBe(404);
});

test('a second signer on the same socket is refused; a socket left by a dead one is replaced', async () => {
  await expect(startAdminServer({ socketPath: admin.socketPath, token: TOKEN, pending })).rejects.toThrow(/another signer already serves/);
  await admin.close();
  // a file nobody answers on (what a killed signer leaves) is replaced
  await writeFile(admin.socketPath, '');
  admin = await startAdminServer({ socketPath: admin.socketPath, token: TOKEN, pending });
  expect((await call('GET', '/pending', TOKEN)).status).toBe(200);
});
