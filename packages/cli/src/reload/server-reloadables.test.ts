import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Policy } from '@tezsigner/core';
import { policyReloadable } from './server-reloadables.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-reload-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A gatekeeper stand-in that only remembers what it was handed. */
function gatekeeper() {
  const replaced: Policy[] = [];
  return { replaced, replacePolicy: (policy: Policy) => void replaced.push(policy) };
}

test('a valid policy file replaces the policy on reload', async () => {
  const file = join(dir, 'policy.yaml');
  await writeFile(file, 'default:\n  block: allow\n  attestation: allow\n');
  const gate = gatekeeper();
  expect(await policyReloadable(file, gate, false).reload()).toMatch(/kind\(s\) of request may be signed/);
  expect(gate.replaced).toHaveLength(1);
  expect(gate.replaced[0]?.default?.kinds).toEqual({ block: 'allow', attestation: 'allow' });
});

test('a broken file, or one others may write, is refused and the old policy kept; one denying everything is taken', async () => {
  const file = join(dir, 'policy.yaml');
  const gate = gatekeeper();
  await writeFile(file, 'default:\n  block: maybe\n');
  await expect(policyReloadable(file, gate, false).reload()).rejects.toThrow(/policy\.yaml:2/);
  await writeFile(file, 'default:\n  block: deny\n  preattestation: deny\n  attestation: deny\n');
  await chmod(file, 0o664);
  await expect(policyReloadable(file, gate, false).reload()).rejects.toThrow(/writable by group or others \(mode 0664\)/);
  expect(gate.replaced).toEqual([]);
  // the emergency stop: nothing is signed from now on
  await chmod(file, 0o644);
  expect(await policyReloadable(file, gate, false).reload()).toBe('0 kind(s) of request may be signed');
  expect(gate.replaced[0]?.default?.kinds).toEqual({ block: 'deny', preattestation: 'deny', attestation: 'deny' });
});

test('a policy asking for confirmations is refused by a signer started without them', async () => {
  const file = join(dir, 'policy.yaml');
  await writeFile(file, 'default:\n  attestation: allow\n  operations:\n    transaction: confirm\n');
  const gate = gatekeeper();
  await expect(policyReloadable(file, gate, false).reload()).rejects.toThrow(/restart the signer/);
  expect(gate.replaced).toEqual([]);
  await policyReloadable(file, gate, true).reload();
  expect(gate.replaced).toHaveLength(1);
});
