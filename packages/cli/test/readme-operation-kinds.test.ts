import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OPERATION_KIND_NAMES } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { REPOSITORY } from '../../../test-support/clone.js';

test('the README’s policy section names every operation kind a policy can name, and the tz4 keys’ kinds', async () => {
  const readme = await readFile(join(REPOSITORY, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Policy, confirmation and audit'), readme.indexOf('## `tezsigner serve` options'));
  const named = new Set([...section.matchAll(/`([a-z_0-9]+)`/g)].map((match) => match[1]));
  expect(OPERATION_KIND_NAMES.filter((kind) => !named.has(kind))).toEqual([]);
  for (const kind of ['reveal', 'update_consensus_key', 'update_companion_key']) expect(section).toMatch(new RegExp(`^ +${kind}: confirm`, 'm'));
});
