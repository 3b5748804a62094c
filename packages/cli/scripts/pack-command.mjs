#!/usr/bin/env node
// @ts-check
// Builds the installable `tezsigner` command: every workspace package and dependency bundled
// (from sources) into one file, in an npm package of its own with no dependencies, packed as
// a tarball. npm installs that anywhere, even without network or root (`npm install --global
// --prefix ~/.local …`), and the installed command is node itself running the file: a signal
// sent to it reaches the signer, with no wrapper process in between.
//   node packages/cli/scripts/pack-command.mjs [out-dir]   (default packages/cli/release)
// writes <out-dir>/tezsigner.tgz.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { commandBundleOptions } from './bundle-options.mjs';

const cli = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(cli, 'release'));
const staging = join(out, 'package');
const { version, license } = JSON.parse(await readFile(join(cli, 'package.json'), 'utf8'));

await rm(staging, { recursive: true, force: true });
await mkdir(staging, { recursive: true });
await build(commandBundleOptions(join(cli, 'src/main.ts'), join(staging, 'tezsigner.mjs')));
// Native addons cannot be bundled into a JavaScript file: core loads its native crypto at run time
// and falls back to noble without it, and the PKCS#11 vault loads pkcs11js on first use. They
// travel inside the tarball (bundleDependencies) with their binaries (prebuilt, or for pkcs11js
// and bcrypto compiled by `pnpm install`), so an installed signer needs no compiler and fetches
// nothing. One that did not build (no compiler) is left out: --vault pkcs11 then says so, and
// P-256 runs on noble.
const NATIVE = ['secp256k1', 'sodium-native', '@chainsafe/blst', 'pkcs11js', 'bcrypto'];
const FROM = { pkcs11js: join(cli, '..', 'pkcs11-adapter', 'package.json') };
/** The addons compiled at install: their binary, and what of the package the binary needs beside it. */
const COMPILED = {
  pkcs11js: { binary: 'build/Release/pkcs11.node', files: ['index.js', 'index.d.ts', 'README.md', 'LICENSE'], without: 'PKCS#11 support' },
  bcrypto: { binary: 'build/Release/bcrypto.node', files: ['lib', 'README.md', 'LICENSE'], without: 'native P-256 (noble instead)' },
};
const bundled = new Set();
/**
 * The manifest of the package `name` as Node finds it from the package whose manifest is `from`
 * (in a node_modules folder of it or above), whatever its `exports` let out; undefined if absent.
 */
function manifestOf(name, from) {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
// a prebuilt binary of another platform, or for the Bare runtime, cannot run here, and the
// tarball is for this platform (docs/production.md: a release tarball is for the OS and CPU it was made on)
const PLATFORM = `${process.platform}-${process.arch}`;
const thisPlatformOnly = (source) =>
  !source.endsWith('.bare') && (!/[\\/]prebuilds[\\/][^\\/]+$/.test(source) || source.endsWith(`prebuilds/${PLATFORM}`));
async function bundleNative(name, from) {
  if (bundled.has(name)) return;
  const manifestPath = manifestOf(name, from);
  if (manifestPath === undefined) return; // an optional platform package of another platform: not installed here
  const dir = await realpath(dirname(manifestPath));
  const compiled = COMPILED[name];
  if (compiled !== undefined && !existsSync(join(dir, compiled.binary))) {
    process.stderr.write(`pack-command: ${name} was not compiled (no C++ compiler at install?): the command is packed without ${compiled.without}\n`);
    return;
  }
  bundled.add(name);
  if (compiled === undefined) await cp(dir, join(staging, 'node_modules', name), { recursive: true, dereference: true, filter: thisPlatformOnly });
  else await shipCompiled(dir, join(staging, 'node_modules', name), compiled);
  const { dependencies = {}, optionalDependencies = {} } = JSON.parse(await readFile(manifestPath, 'utf8'));
  for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) await bundleNative(dependency, join(dir, 'package.json'));
}
/**
 * An addon as compiled here, its binary and the files it needs, without its sources: with a
 * binding.gyp npm would compile it again on the user's machine (and fail where there is no
 * compiler), and its `files` leave the binary out.
 */
async function shipCompiled(from, to, { binary, files }) {
  for (const path of [...files, binary]) {
    if (existsSync(join(from, path))) await cp(join(from, path), join(to, path), { recursive: true, dereference: true });
  }
  const manifest = JSON.parse(await readFile(join(from, 'package.json'), 'utf8'));
  delete manifest.gypfile;
  delete manifest.scripts;
  manifest.files = [...files, binary];
  await writeFile(join(to, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
for (const name of NATIVE) await bundleNative(name, FROM[name] ?? join(cli, '..', 'core', 'package.json'));

const manifest = {
  name: 'tezsigner',
  version,
  description: 'A remote signer for Tezos bakers that never double-signs (octez remote-signer protocol).',
  license,
  type: 'module',
  bin: { tezsigner: 'tezsigner.mjs' },
  engines: { node: '>=20.19' },
  files: ['tezsigner.mjs', 'README.md', 'LICENSE'],
  dependencies: Object.fromEntries(NATIVE.filter((name) => bundled.has(name)).map((name) => [name, '*'])),
  bundleDependencies: NATIVE.filter((name) => bundled.has(name)),
};
await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await copyFile(join(cli, 'README.md'), join(staging, 'README.md'));
await copyFile(join(cli, 'LICENSE'), join(staging, 'LICENSE'));
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: staging, encoding: 'utf8' }).trim().split('\n').pop();
if (packed === undefined || packed === '') throw new Error('npm pack named no tarball');
await rename(join(out, packed), join(out, 'tezsigner.tgz'));
await rm(staging, { recursive: true, force: true });
process.stdout.write(`${join(out, 'tezsigner.tgz')}\n`);
