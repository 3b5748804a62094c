// A user who clones the repository has nothing beside it: every test must find what it reads
// (vectors above all) inside the clone. This clones HEAD into an empty temporary folder, lends
// it this checkout's installed packages (a link per entry, so nothing is written back here) and
// runs vector tests there; a read of any path outside the tree (the shared folder of the project's
// notes above all) fails them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { REPOSITORY as REPO, cloneHead } from '../../../test-support/clone.js';

// one test file per vector file it reads: keys, requests and operations, signatures, authentication
const VECTOR_TESTS = [
  'packages/core/src/encoding/address.test.ts',
  'packages/core/src/request/parse.test.ts',
  'packages/core/src/encoding/signature.test.ts',
  'packages/core/src/signing/authentication.test.ts',
];

let folder: string;
let clone: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tezsigner-clone-'));
  clone = join(folder, 'repo');
  cloneHead(clone);
  await lendPackages(join(REPO, 'node_modules'), join(clone, 'node_modules'));
  await lendPackages(join(REPO, 'packages/core/node_modules'), join(clone, 'packages/core/node_modules'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** A real folder of links to each installed package, so caches the run writes stay in the clone. */
async function lendPackages(from: string, to: string): Promise<void> {
  await mkdir(to);
  for (const entry of await readdir(from)) {
    if (entry === '.vite' || entry === '.cache') continue;
    await symlink(join(from, entry), join(to, entry));
  }
}

function runVitest(cwd: string, files: readonly string[]): Promise<{ code: number | null; output: string }> {
  // the outer run's own variables would make the inner vitest think it is a worker
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, [join(cwd, 'node_modules/vitest/vitest.mjs'), 'run', ...files], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

test('a clone alone, with nothing beside it, passes the vector tests', { timeout: 120_000 }, async () => {
  expect(await readdir(folder)).toEqual(['repo']);
  expect(existsSync(join(clone, 'test-vectors/keys.json'))).toBe(true);
  const run = await runVitest(clone, VECTOR_TESTS);
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/Tests: [1-9]\d* passed, 0 failed\n/);
});
