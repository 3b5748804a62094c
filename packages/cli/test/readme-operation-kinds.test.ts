import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPERATION_KIND_NAMES } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { REPOSITORY } from '../../../test-support/clone.js';

test('the README’s policy guide (docs/policy.md) names every operation kind a policy can name, and the tz4 keys’ kinds', async () => {
  const section = await readFile(join(REPOSITORY, 'docs/policy.md'), 'utf8');
  const named = new Set([...section.matchAll(/`([a-z_0-9]+)`/g)].map((match) => match[1]));
  expect(OPERATION_KIND_NAMES.filter((kind) => !named.has(kind))).toEqual([]);
  for (const kind of ['reveal', 'update_consensus_key', 'update_companion_key']) expect(section).toMatch(new RegExp(`^ +${kind}: confirm`, 'm'));
});
