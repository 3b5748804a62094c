import { expect, test } from 'vitest';
import { hexToBytes } from '../encoding/hex.js';
import { parseRequest } from './parse.js';
import { describeRequest } from './description.js';

test('consensus requests say where they sign, Michelson data shows its value', () => {
  // 0x05 then Micheline: a pair of the int 7 and the string "hi" (octez binary encoding)
  const data = parseRequest(hexToBytes('05070700070100000002' + '6869'), 'ed25519');
  expect(describeRequest(data)).toBe('Michelson data (0x05): Pair 7 "hi"');
  const preattestation = parseRequest(hexToBytes(`12${'7a06a770'}${'00'.repeat(32)}14${'0000'}${'00000064'}${'00000002'}${'00'.repeat(32)}`), 'ed25519');
  expect(describeRequest(preattestation)).toBe('preattestation at level 100 round 2 on NetXdQprcVkpaWU');
});
