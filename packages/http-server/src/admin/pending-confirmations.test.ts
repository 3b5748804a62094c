import { expect, test } from 'vitest';
import { PendingConfirmations } from './pending-confirmations.js';
import type { HeldRequest } from '@tezsigner/core';

const request = (n: number): HeldRequest => ({ key: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb', kind: 'operation', hash: String(n), summary: `transfer ${n}`, rule: 'r', reason: 'why' });

test('held requests are listed oldest first; each is answered once, by id', async () => {
  const pending = new PendingConfirmations({ now: () => 1000 });
  const answers = Array.from({ length: 20 }, (_, n) => pending.hold(request(n)));
  const listed = pending.list();
  expect(listed.map((entry) => entry.summary)).toEqual(Array.from({ length: 20 }, (_, n) => `transfer ${n}`));
  expect(new Set(listed.map((entry) => entry.id)).size).toBe(20);
  expect(pending.decide(listed[3]?.id ?? '', true, 'alice')).toBe(true);
  expect(pending.decide(listed[3]?.id ?? '', false, 'bob')).toBe(false);
  expect(await answers[3]).toEqual({ outcome: 'approved', by: 'alice' });
  expect(pending.list()).toHaveLength(19);
  pending.close();
  expect(await answers[0]).toEqual({ outcome: 'rejected', by: 'shutdown' });
  expect(pending.list()).toEqual([]);
});

test('a request nobody answers times out and leaves the list', async () => {
  const pending = new PendingConfirmations({ timeoutMs: 10 });
  expect(await pending.hold(request(1))).toEqual({ outcome: 'timed_out', by: 'timeout' });
  expect(pending.list()).toEqual([]);
});
