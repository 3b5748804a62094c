#!/usr/bin/env node
// @ts-check
// Builds the release tarballs of every workspace package into one folder, for a release page or
// `npm publish <tarball>`:
//   pnpm pack:release [out-dir]        (default release/)
// writes <out-dir>/tezsigner-<package>-<version>.tgz, one per package. pnpm packs them, so sibling
// packages are depended on by semver range (`workspace:^` becomes `^<version>`) and the published
// manifest's `exports` (publishConfig) lack the `source` condition, which names TypeScript
// sources only this workspace's tests and bundles resolve.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(root, 'release'));
/** Every package of the workspace (a folder of packages/ with a manifest), a new backend included. */
const PACKAGES = (await readdir(join(root, 'packages'), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => entry.name)
  // core first and the command last, for the install line
  .sort((a, b) => (a === 'core' ? -1 : b === 'core' ? 1 : a === 'cli' ? 1 : b === 'cli' ? -1 : a.localeCompare(b)));
const OUTPUTS = /(\.d\.ts|\.js|\.js\.map)$/;

/** Compiled files whose source is gone (a file renamed or removed since the last build): not shipped. */
async function removeStaleOutputs(pkg) {
  const dist = join(root, 'packages', pkg, 'dist');
  if (!existsSync(dist)) return;
  for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !OUTPUTS.test(entry.name)) continue;
    const compiled = join(entry.parentPath, entry.name);
    const source = join(root, 'packages', pkg, 'src', relative(dist, compiled).replace(OUTPUTS, '.ts'));
    if (!existsSync(source)) await rm(compiled);
  }
}

/** pnpm as this script was started by (`pnpm pack:release`), else through npx. */
function pnpm(args, cwd) {
  const execPath = process.env.npm_execpath;
  const [command, prefix] = execPath !== undefined && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ['npx', ['--yes', 'pnpm@10']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

for (const pkg of PACKAGES) await removeStaleOutputs(pkg);
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', ...PACKAGES.map((pkg) => join(root, 'packages', pkg))], { cwd: root, stdio: 'inherit' });

await mkdir(out, { recursive: true });
const tarballs = [];
for (const pkg of PACKAGES) {
  const { name, version } = JSON.parse(await readFile(join(root, 'packages', pkg, 'package.json'), 'utf8'));
  tarballs.push(`${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
}
for (const file of tarballs) await rm(join(out, file), { force: true });
pnpm(['--recursive', '--filter', './packages/*', 'pack', '--pack-destination', out], root);
for (const file of tarballs) if (!existsSync(join(out, file))) throw new Error(`pnpm pack wrote no ${file}`);
process.stdout.write(`${tarballs.map((file) => join(out, file)).join('\n')}\n`);
process.stderr.write(`install in a project (core with or before any other package): npm install ${tarballs.filter((file) => !file.includes('-cli-')).map((file) => `./${file}`).join(' ')}\n`);
