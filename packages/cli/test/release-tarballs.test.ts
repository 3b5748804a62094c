// The packages as a library user gets them: `pnpm pack:release` builds the release tarballs, each
// passes `npm publish --dry-run`, and a fresh npm project outside the repository installs them one
// step at a time (core first, then each package that uses it: npm must find core in the project,
// never ask a registry for it). A small program, and every TypeScript snippet of the packages'
// READMEs and examples, compile there under the settings of `tsc --init` plus those users add
// (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes, module nodenext, skipLibCheck
// false), with the optional PKCS#11 binding left out as npm leaves it out where it cannot build;
// the program then signs, repeats, conflicts, runs a store of its own and a racy one through
// checkWatermarkStore and embeds the HTTP server, and the conflict is asked again with a second
// copy of core nested under http-server, as npm lays out two versions.
// npm reuses its cache (`--prefer-offline`): only a first run on a machine fetches from the registry.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
/** Every package of the workspace (a new backend too), each with the packages of ours it depends on. */
const MANIFESTS = new Map(
  readdirSync(join(REPO, 'packages'))
    .filter((pkg) => existsSync(join(REPO, 'packages', pkg, 'package.json')))
    .map((pkg) => {
      const { dependencies = {} } = JSON.parse(readFileSync(join(REPO, 'packages', pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      return [pkg, Object.keys(dependencies).flatMap((name) => (name.startsWith('@tezsigner/') ? [name.slice('@tezsigner/'.length)] : []))] as const;
    }),
);
const PACKAGES = [...MANIFESTS.keys()];
/** The install order a user follows: every package after those it uses (core first, the cli last). */
function installOrder(): string[] {
  const order: string[] = [];
  const visit = (pkg: string) => {
    if (order.includes(pkg)) return;
    for (const dependency of MANIFESTS.get(pkg) ?? []) visit(dependency);
    order.push(pkg);
  };
  for (const pkg of PACKAGES) visit(pkg);
  return order;
}
const tarball = (pkg: string) => `tezsigner-${pkg}-0.1.0.tgz`;
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--no-update-notifier'];
const MINUTE = 60_000;

let work: string;
let release: string;
let project: string;

// a user's environment: none of this test run's own (vitest's variables, its NODE_OPTIONS, the
// NODE_PATH pnpm's command shims set to the workspace's packages, and the npm_* settings pnpm
// passes to the scripts it runs, which npm warns of as unknown), but the
// headers to build native addons against and npm's cache, as the machine has them
const KEPT_NPM_SETTINGS = new Set(['npm_config_nodedir', 'npm_config_cache']);
const ownSetting = (name: string) => name.startsWith('VITEST') || name === 'NODE_OPTIONS' || name === 'NODE_PATH' || (/^(npm|pnpm)_/i.test(name) && !KEPT_NPM_SETTINGS.has(name));
const USER_ENV = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !ownSetting(name))), npm_config_update_notifier: 'false' };

/** A command's output; its stderr and stdout in the error when it fails. */
async function sh(command: string, args: readonly string[], cwd: string, timeout = 5 * MINUTE): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: USER_ENV });
    return stdout;
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`.slice(0, 8000), { cause: err });
  }
}
const npm = (args: readonly string[], cwd = project) => sh('npm', args, cwd);
const node = (args: readonly string[], cwd = project) => sh(process.execPath, args, cwd);

/** The TypeScript blocks of a Markdown file (indented ones inside list items too), dedented. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent = '', body = '']) =>
    body
      .split('\n')
      .map((line) => line.slice(indent.length))
      .join('\n'),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tezsigner-release-'));
  release = join(work, 'release');
  project = join(work, 'project');
  await node([join(REPO, 'scripts/pack-release.mjs'), release], REPO);
  await mkdir(project);
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'custody-service', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
}, 10 * MINUTE);
afterAll(() => (work === undefined ? undefined : rm(work, { recursive: true, force: true })));

describe('release tarballs', () => {
  test('pnpm pack:release writes one tarball per package, as published: README, LICENSE, no workspace ranges, no source condition, no dangling source map', async () => {
    expect((await readdir(release)).sort()).toEqual(PACKAGES.map(tarball).sort());
    for (const pkg of PACKAGES) {
      const file = join(release, tarball(pkg));
      const files = new Set((await sh('tar', ['-tzf', file], work)).trim().split('\n'));
      expect(files, pkg).toContain('package/README.md');
      expect(files, pkg).toContain('package/LICENSE');
      const manifest = await sh('tar', ['-xzOf', file, 'package/package.json'], work);
      expect(manifest, pkg).not.toContain('workspace:');
      expect(manifest, pkg).not.toContain('"source"');
      const { exports, engines, types, dependencies = {} } = JSON.parse(manifest) as { exports: Record<string, unknown>; engines: { node: string }; types: string; dependencies?: Record<string, string> };
      expect(engines.node).toBe('>=20.19');
      for (const [name, range] of Object.entries(dependencies)) if (name.startsWith('@tezsigner/')) expect(range, `${pkg} → ${name}`).toBe('^0.1.0');
      const targets = [types, ...Object.values(exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target as Record<string, string>)))];
      for (const target of targets) expect(files, `${pkg}: ${target}`).toContain(`package/${target.replace(/^\.\//, '')}`);
      // every source map a file names is shipped, and so is every source a map names
      const maps = [...files].filter((path) => path.endsWith('.js.map'));
      expect(maps.length, pkg).toBeGreaterThan(0);
      for (const path of [...files].filter((name) => name.endsWith('.js'))) expect(files, path).toContain(`${path}.map`);
      const extracted = join(work, 'extracted', pkg);
      await mkdir(extracted, { recursive: true });
      await sh('tar', ['-xzf', file, '-C', extracted], work);
      for (const map of maps) {
        const { sources } = JSON.parse(await readFile(join(extracted, map), 'utf8')) as { sources: string[] };
        for (const source of sources) expect(files, `${map} → ${source}`).toContain(join(map, '..', source));
      }
    }
  });

  test('each passes npm publish --dry-run', async () => {
    const dryRuns = await Promise.all(PACKAGES.map((pkg) => run('npm', ['publish', '--dry-run', '--loglevel=warn', join(release, tarball(pkg))], { cwd: work, timeout: 3 * MINUTE, env: USER_ENV })));
    for (const [i, { stderr }] of dryRuns.entries()) {
      // the one warning a dry run without an npm login gives
      const warnings = stderr.split('\n').filter((line) => /npm (warn|error)/i.test(line) && !/requires you to be logged in/.test(line));
      expect(warnings, PACKAGES[i]).toEqual([]);
    }
  }, 5 * MINUTE);
});

describe('a fresh npm project that installs the tarballs', () => {
  let program: Record<string, unknown>;
  beforeAll(async () => {
    // core, then each package in a step of its own after those it uses (the cli last); the
    // PKCS#11 binding and core's bcrypto not built, then gone, as npm leaves them where there is
    // no compiler (an optional dependency that fails to build is removed): what the user compiles
    // and runs must not need them
    const [first, ...others] = installOrder();
    expect(first).toBe('core');
    await npm(['install', ...NPM_FLAGS, '--ignore-scripts', join(release, tarball('core')), '@types/node@^20.19']);
    for (const pkg of others) await npm(['install', ...NPM_FLAGS, '--ignore-scripts', join(release, tarball(pkg))]);
    for (const addon of ['pkcs11js', 'bcrypto']) await rm(join(project, 'node_modules', addon), { recursive: true });
    expect(await sh('find', ['node_modules', '-name', 'pkcs11js', '-o', '-name', 'bcrypto'], project)).toBe('');
    // the consumer program, and every README snippet and example as a file of its own
    const consumer = join(REPO, 'packages/cli/test/consumer');
    for (const name of await readdir(consumer)) await cp(join(consumer, name), join(project, name));
    await mkdir(join(project, 'snippets'));
    for (const pkg of PACKAGES) {
      const dir = join(REPO, 'packages', pkg);
      for (const name of (await readdir(dir)).filter((file) => file.endsWith('.md'))) {
        const blocks = tsBlocks(await readFile(join(dir, name), 'utf8'));
        for (const [i, block] of blocks.entries()) await writeFile(join(project, 'snippets', `${pkg}-${basename(name, '.md')}-${i + 1}.ts`), block);
      }
    }
    await cp(join(REPO, 'packages/core/examples/usage.ts'), join(project, 'snippets/core-example-usage.ts'));
    await node([join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    program = JSON.parse(await node(['dist/main.js'])) as Record<string, unknown>;
  }, 15 * MINUTE);

  test('every package installed in a step of its own after core, without a registry for @tezsigner', { timeout: 2 * MINUTE }, async () => {
    const installed = JSON.parse(await npm(['ls', '--all', '--json'])) as { dependencies: Record<string, { version: string; dependencies?: Record<string, { version: string }> }> };
    for (const pkg of PACKAGES) expect(installed.dependencies[`@tezsigner/${pkg}`]?.version, pkg).toBe('0.1.0');
    // one copy of core: every package uses the project's
    expect(await sh('find', ['node_modules', '-path', '*/@tezsigner/core/package.json'], project)).toBe('node_modules/@tezsigner/core/package.json\n');
  });

  test('every README snippet and example compiled under strict settings with skipLibCheck false, and the example runs as it stands', { timeout: 2 * MINUTE }, async () => {
    const snippets = await readdir(join(project, 'snippets'));
    // core (usage, crypto, policy, testing), local-adapter, azure-adapter, http-server, pkcs11-adapter
    expect(snippets.length).toBeGreaterThanOrEqual(9);
    for (const name of snippets) expect(await readdir(join(project, 'dist/snippets')), name).toContain(name.replace(/\.ts$/, '.js'));
    const output = (await node(['dist/snippets/core-example-usage.js'])).trim().split('\n');
    const [, publicKey = '', bytes = '', signature = ''] = /^(edpk\w+) signed ([0-9a-f]+): (edsig\w+) \(signed, then repeated\)$/.exec(output[0] ?? '') ?? [];
    expect(verifySignature(bytes, publicKey, signature)).toBe(true);
    expect(output[1]).toMatch(/^another block at the same level and round: WATERMARK_REFUSED/);
  });

  test('signs, answers a repeat with the same signature, refuses a conflict', () => {
    const { key, bytes, first, again, conflict } = program as { key: { pkh: string; publicKey: string }; bytes: string; first: { signature: string; outcome: string }; again: { signature: string; outcome: string }; conflict: string };
    expect(key.pkh).toMatch(/^tz1/);
    expect(first.outcome).toBe('signed');
    expect(verifySignature(bytes, key.publicKey, first.signature)).toBe(true);
    expect(again).toMatchObject({ outcome: 'repeated', signature: first.signature });
    expect(conflict).toBe('WATERMARK_REFUSED');
  });

  test("passes a store of the user's own through checkWatermarkStore, and rejects a racy one at the race rule", () => {
    expect(program.racy).toBe('two instances racing for one position let exactly one payload and one signature out');
  });

  test('embeds the HTTP server: signs, repeats, answers a conflict 409 WATERMARK_REFUSED', () => {
    const { http, attestation, key } = program as { key: { publicKey: string }; attestation: string; http: Record<string, { status: number; body: { signature?: string; error?: { code: string } } }> };
    expect(http.signed?.status).toBe(200);
    expect(verifySignature(attestation, key.publicKey, http.signed?.body.signature ?? '')).toBe(true);
    expect(http.repeated).toEqual(http.signed);
    expect(http.conflict).toMatchObject({ status: 409, body: { error: { code: 'WATERMARK_REFUSED' } } });
  });

  test('a PKCS#11 package whose binding was not built says how to rebuild it with npm', () => {
    expect(program.pkcs11).toMatch(/^CONFIG_INVALID: PKCS#11 support is not installed: the native binding pkcs11js did not load .*`npm rebuild pkcs11js` in the project that depends on @tezsigner\/pkcs11-adapter/);
    expect(program.table).toBe(true);
  });

  test('require() loads the packages from CommonJS', { timeout: 2 * MINUTE }, async () => {
    expect(JSON.parse(await node(['require-check.cjs']))).toEqual({ kind: 'block', level: 1, vault: 'function', server: 'function', postgres: 'function' });
  });

  test('the cli package installs its command', { timeout: 2 * MINUTE }, async () => {
    expect((await node(['node_modules/.bin/tezsigner', '--version'])).trim()).toBe('0.1.0');
  });

  test('with a second copy of core nested under http-server, a conflict is still 409 WATERMARK_REFUSED', { timeout: 2 * MINUTE }, async () => {
    const nested = join(project, 'node_modules/@tezsigner/http-server/node_modules/@tezsigner/core');
    await cp(join(project, 'node_modules/@tezsigner/core'), nested, { recursive: true });
    try {
      const { ours, servers, signed, conflict } = JSON.parse(await node(['dist/nested-conflict.js'])) as { ours: string; servers: string; signed: { status: number }; conflict: unknown };
      expect(servers).toBe(join(nested, 'dist/index.js'));
      expect(ours).not.toBe(servers);
      expect(signed.status).toBe(200);
      expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'WATERMARK_REFUSED' } } });
    } finally {
      await rm(join(project, 'node_modules/@tezsigner/http-server/node_modules'), { recursive: true, force: true });
    }
  });
});
