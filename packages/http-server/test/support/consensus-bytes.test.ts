import { expect, test } from 'vitest';
import { loadVectors } from '../../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from './consensus-bytes.js';

// The builders must lay out exactly what the independent request vectors hold, or every
// watermark test built on them would test something a baker never sends.
const vector = (name: string): string => {
  const found = loadVectors<{ requests: { name: string; bytes_hex: string }[] }>('requests').requests.find(
    (request) => request.name === name,
  );
  if (found === undefined) throw new Error(`no request vector ${name}`);
  return found.bytes_hex;
};

test('tenderbakeBlock matches the block vector', () => {
  expect(tenderbakeBlock(5_000_000, 0)).toBe(vector('block level 5000000 round 0'));
});

test('attestation matches the tz1/tz2/tz3 and tz4 consensus vectors', () => {
  expect(attestation('preattestation', 5_000_001, 1)).toBe(vector('preattestation'));
  expect(attestation('attestation', 5_000_001, 1)).toBe(vector('attestation'));
  expect(attestation('preattestation', 5_000_003, 2, { tz4: true })).toBe(vector('preattestation by a tz4 key (no slot)'));
  expect(attestation('attestation', 5_000_003, 2, { tz4: true })).toBe(vector('attestation by a tz4 key (no slot)'));
});
