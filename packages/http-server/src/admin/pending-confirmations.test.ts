import { expect, test } from 'vitest';
import { isTezsignerError, type HeldRequest } from '@tezsigner/core';
import { PendingConfirmations } from './pending-confirmations.js';

const hashOf = (n: number) => n.toString(16).padStart(64, '0');
const request = (n: number): HeldRequest => ({ key: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb', kind: 'operation', hash: hashOf(n), bytes: new Uint8Array([5, n]), summary: `transfer ${n}`, rule: 'r', reason: 'why' });

test('held requests are listed oldest first, with random ids; each is answered once, by id', async () => {
  const pending = new PendingConfirmations({ now: () => 1000, maxHeld: 20 });
  expect(pending.instance).toMatch(/^[0-9a-f]{32}$/);
  expect(new PendingConfirmations().instance).not.toBe(pending.instance);
  const answers = Array.from({ length: 20 }, (_, n) => pending.hold(request(n)));
  const listed = pending.list();
  expect(listed.map((entry) => entry.summary)).toEqual(Array.from({ length: 20 }, (_, n) => `transfer ${n}`));
  expect(new Set(listed.map((entry) => entry.id)).size).toBe(20);
  for (const entry of listed) expect(entry.id).toMatch(/^[0-9a-f]{16}$/);
  const third = listed[3]?.id ?? '';
  expect(pending.get(third)?.summary).toBe('transfer 3');
  expect(pending.settle(third, true, 'alice')).toBe(true);
  expect(pending.settle(third, false, 'bob')).toBe(false);
  expect(pending.get(third)).toBeUndefined();
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

test('beyond maxHeld a request is refused (OVERLOADED) and the held ones stay', async () => {
  const pending = new PendingConfirmations({ maxHeld: 2 });
  const answers = [pending.hold(request(1)), pending.hold(request(2))];
  let refused: unknown;
  try {
    void pending.hold(request(3));
  } catch (err) {
    refused = err;
  }
  expect(isTezsignerError(refused, 'OVERLOADED')).toBe(true);
  expect(pending.list()).toHaveLength(2);
  expect(pending.denyAll('op')).toBe(2);
  expect((await Promise.all(answers)).map((a) => a.outcome)).toEqual(['rejected', 'rejected']);
  // room again
  const again = pending.hold(request(4));
  pending.close();
  expect((await again).outcome).toBe('rejected');
});

test('a request whose client disconnects is dropped, and the signer is told', async () => {
  const dropped: string[] = [];
  const pending = new PendingConfirmations({ onAbandoned: (entry) => dropped.push(entry.hash) });
  const gone = new AbortController();
  const answer = pending.hold(request(5), gone.signal);
  expect(pending.list()).toHaveLength(1);
  gone.abort();
  expect(await answer).toEqual({ outcome: 'abandoned', by: 'client' });
  expect(pending.list()).toEqual([]);
  expect(dropped).toEqual([hashOf(5)]);
});
