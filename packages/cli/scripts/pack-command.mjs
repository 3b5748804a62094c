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
import { copyFile, cp, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const cli = resolve(import.meta.dirname, '..');
const out = resolve(process.argv[2] ?? join(cli, 'release'));
const staging = join(out, 'package');
const { version, license } = JSON.parse(await readFile(join(cli, 'package.json'), 'utf8'));

await rm(staging, { recursive: true, force: true });
await mkdir(staging, { recursive: true });
await build({
  entryPoints: [join(cli, 'src/main.ts')],
  outfile: join(staging, 'tezsigner.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // workspace packages from their TypeScript sources, as the tests run them
  conditions: ['source'],
  // CommonJS dependencies inside an ES module still call require() and read __dirname
  banner: {
    js: [
      "import { createRequire as __tezsignerCreateRequire } from 'node:module';",
      "import { fileURLToPath as __tezsignerFileURLToPath } from 'node:url';",
      'const require = __tezsignerCreateRequire(import.meta.url);',
      'const __filename = __tezsignerFileURLToPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join('\n'),
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
// Native crypto cannot be bundled into a JavaScript file: core loads these at run time and falls
// back to noble without them. They travel inside the tarball (bundleDependencies) with their
// prebuilt binaries, so an installed signer runs native crypto without fetching anything.
const NATIVE = ['secp256k1', '@chainsafe/blst'];
const bundled = new Set();
async function bundleNative(name, from) {
  if (bundled.has(name)) return;
  let manifestPath;
  try {
    manifestPath = createRequire(from).resolve(`${name}/package.json`);
  } catch {
    return; // an optional platform package of another platform: not installed here
  }
  bundled.add(name);
  const dir = await realpath(dirname(manifestPath));
  await cp(dir, join(staging, 'node_modules', name), { recursive: true, dereference: true });
  const { dependencies = {}, optionalDependencies = {} } = JSON.parse(await readFile(manifestPath, 'utf8'));
  for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) await bundleNative(dependency, join(dir, 'package.json'));
}
for (const name of NATIVE) await bundleNative(name, join(cli, '..', 'core', 'package.json'));

const manifest = {
  name: 'tezsigner',
  version,
  description: 'A remote signer for Tezos bakers that never double-signs (octez remote-signer protocol).',
  license,
  type: 'module',
  bin: { tezsigner: 'tezsigner.mjs' },
  engines: { node: '>=20.19' },
  files: ['tezsigner.mjs', 'README.md'],
  dependencies: Object.fromEntries(NATIVE.filter((name) => bundled.has(name)).map((name) => [name, '*'])),
  bundleDependencies: NATIVE.filter((name) => bundled.has(name)),
};
await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await copyFile(join(cli, 'README.md'), join(staging, 'README.md'));
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: staging, encoding: 'utf8' }).trim().split('\n').pop();
if (packed === undefined || packed === '') throw new Error('npm pack named no tarball');
await rename(join(out, packed), join(out, 'tezsigner.tgz'));
await rm(staging, { recursive: true, force: true });
process.stdout.write(`${join(out, 'tezsigner.tgz')}\n`);
