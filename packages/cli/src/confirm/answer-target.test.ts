import { expect, test } from 'vitest';
import type { DecodedRequest } from './decoded-request.js';
import { findTarget } from './answer-target.js';

const held = (id: string, key: string, hash: string): DecodedRequest => ({ id, key, hash, bytes: new Uint8Array(), rule: 'r', reason: 'why', receivedAt: '', ageMs: 0 });
const X = `ab${'1'.repeat(62)}`;
const Y = `ab${'2'.repeat(62)}`;
const list = [held('0000000000000001', 'tz1A', X), held('0000000000000002', 'tz1B', X), held('0000000000000003', 'tz1A', Y)];

test('a hash held once names that request; one held several times names none, and says to add the id', () => {
  expect(findTarget(Y, list)).toEqual({ held: list[2] });
  expect(findTarget(Y.slice(0, 16).toUpperCase(), list)).toEqual({ held: list[2] });
  expect(findTarget(X, list)).toEqual({ problem: `2 held requests have these bytes (0000000000000001:${X} for tz1A, 0000000000000002:${X} for tz1B): answer one of them as <id>:<hash>` });
  expect(findTarget(`0000000000000002:${X.slice(0, 20)}`, list)).toEqual({ held: list[1] });
});

test('a prefix two hashes share, a short one, a wrong id or no such hash names none', () => {
  expect(findTarget('ab11', list)).toMatchObject({ problem: expect.stringContaining('at least 16 hex digits') as unknown });
  expect(findTarget(`ab${'1'.repeat(14)}`.slice(0, 16), list)).toMatchObject({ problem: expect.stringContaining('2 held requests have these bytes') as unknown });
  expect(findTarget('ab00000000000000', list)).toMatchObject({ problem: expect.stringContaining('no request held has bytes with that hash') as unknown });
  expect(findTarget(`0000000000000003:${X}`, list)).toMatchObject({ problem: expect.stringContaining('no request held with id 0000000000000003 has bytes with that hash') as unknown });
  expect(findTarget('abababababababab', [held('0000000000000001', 'tz1A', `${'ab'.repeat(8)}1${'0'.repeat(47)}`), held('0000000000000002', 'tz1A', `${'ab'.repeat(8)}2${'0'.repeat(47)}`)])).toEqual({
    problem: 'abababababababab starts the hashes of several held requests: give more of it',
  });
});
