// An older release of tezsigner, built from this repository's own history, for tests that run
// it beside this one: a clone at its commit, its own locked dependencies, its own build.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY } from '../../../../test-support/clone.js';

const run = promisify(execFile);

/**
 * The path of the `tezsigner` entry point (packages/cli/dist/main.js) of the release at
 * `commit`, built the first time into <tmp>/tezsigner-releases/<commit> and kept there (pnpm's
 * store makes the install quick; only a missing package is fetched from npm). Not under this
 * checkout's node_modules: tsc takes whatever is below a node_modules folder for a package's
 * declarations and refuses to build there.
 */
export async function olderRelease(commit: string): Promise<string> {
  const folder = join(tmpdir(), 'tezsigner-releases', commit);
  const main = join(folder, 'packages/cli/dist/main.js');
  const built = join(folder, '.built');
  if (existsSync(built)) return main;
  await rm(folder, { recursive: true, force: true });
  await mkdir(dirname(folder), { recursive: true });
  await run('git', ['clone', '--quiet', '--no-checkout', REPOSITORY, folder]);
  await run('git', ['-C', folder, 'checkout', '--quiet', commit]);
  // the native crypto modules of later releases build against this node's headers where it has them
  const env = { ...process.env, ...(existsSync('/usr/local/include/node') ? { npm_config_nodedir: '/usr/local' } : {}) };
  const pnpm = (...args: string[]) => run('npx', ['--yes', 'pnpm@10', ...args], { cwd: folder, env, maxBuffer: 64 * 1024 * 1024 });
  await pnpm('install', '--frozen-lockfile', '--offline').catch(() => pnpm('install', '--frozen-lockfile'));
  await pnpm('build');
  await writeFile(built, `${commit}\n`);
  return main;
}
