import { expect, test } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { keyVectors } from '../../../../test-support/vectors.js';
import { authorizedKeyHash } from './authorized-key.js';

test.each(keyVectors().map((v) => [v.curve, v] as const))('the %s public key of the vectors has the address of the vectors', (_curve, vector) => {
  expect(authorizedKeyHash(vector.public_key, 'k')).toBe(vector.public_key_hash);
});

test('an address is refused with where it was given and what to give instead', () => {
  const [vector] = keyVectors();
  if (vector === undefined) throw new Error('no key vector');
  const message = thrownMessage('CONFIG_INVALID', () => authorizedKeyHash(vector.public_key_hash, 'keys.txt:3'));
  expect(message).toMatch(/^keys\.txt:3: tz1\w+ is an address; authorized keys must be public keys/);
});

test('a corrupted public key is refused with where it was given', () => {
  const [vector] = keyVectors();
  if (vector === undefined) throw new Error('no key vector');
  const broken = vector.public_key.slice(0, -1) + (vector.public_key.endsWith('z') ? 'y' : 'z');
  expect(thrownMessage('CONFIG_INVALID', () => authorizedKeyHash(broken, 'authorized key #2'))).toMatch(/^authorized key #2: ".+" is not a public key/);
});
