import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { AuditRecord } from '@tezsigner/core';
import { FileAuditLog } from './file-audit-log.js';

const record = (n: number): AuditRecord => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  key: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si',
  kind: 'attestation',
  chain: 'NetXdQprcVkpaWU',
  hash: n.toString(16).padStart(64, '0'),
  summary: `attestation at level ${n} round 0`,
  decision: 'allowed',
  rule: 'baker_default.attestation',
  by: 'policy',
});

test('concurrent records become one JSON line each, in order, in a private file that keeps what was there', async () => {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-audit-'));
  try {
    const path = join(home, 'audit.jsonl');
    const first = await FileAuditLog.open(path);
    await first.append(record(0));
    await first.close();
    const log = await FileAuditLog.open(path);
    await Promise.all(Array.from({ length: 50 }, (_, n) => log.append(record(n + 1))));
    await log.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as AuditRecord)).toEqual(Array.from({ length: 51 }, (_, n) => record(n)));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('readiness: after a failed append the probe tries a write beside the log, failing while it cannot and passing once it can, and leaves nothing behind', async () => {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-audit-'));
  const folder = join(home, 'logs');
  try {
    await mkdir(folder);
    const log = await FileAuditLog.open(join(folder, 'audit.jsonl'));
    await log.probe();
    // an append that fails (here: on a closed log), with the folder gone too
    await log.close();
    await expect(log.append(record(1))).rejects.toThrow();
    await rm(folder, { recursive: true });
    await expect(log.probe()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('audit.jsonl cannot be written') });
    await mkdir(folder);
    await log.probe();
    expect(await readdir(folder)).toEqual([]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
