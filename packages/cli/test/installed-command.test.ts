// The command as a user installs it (install.sh: the bundled package, then npm into a prefix),
// run from another folder with a fresh HOME: --version, init, serve, and every way of stopping
// it. The dependencies are installed here already, so this runs install.sh's two last steps,
// offline; the README test runs the whole script on a fresh clone.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSoftHsm } from '../../../test-support/softhsm.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { VERSION } from '../src/version.js';
import { CommandChild, answers } from './support/command-child.js';
import { waitUntil } from '../../../test-support/wait-until.js';

const REPO = resolve(import.meta.dirname, '../../..');

let base: string;
let tezsigner: string;
let env: Record<string, string>;
let elsewhere: string;
let pkh: string;

/** `tezsigner <args>` to its end, from another folder, with standard output read or closed. */
async function run(args: readonly string[], stdout: 'read' | 'closed' = 'read') {
  const child = new CommandChild(tezsigner, args, { cwd: elsewhere, env });
  if (stdout === 'closed') child.child.stdout?.destroy();
  return child.exited;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'tezsigner-installed-'));
  const prefix = join(base, 'prefix');
  execFileSync(process.execPath, [join(REPO, 'packages/cli/scripts/pack-command.mjs'), join(base, 'release')], { stdio: 'pipe' });
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(base, 'release/tezsigner.tgz')], {
    stdio: 'pipe',
    env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_cache: join(base, 'npm-cache') },
  });
  tezsigner = join(prefix, 'bin/tezsigner');
  elsewhere = join(base, 'elsewhere');
  await mkdir(elsewhere);
  await mkdir(join(base, 'user'));
  // nothing of this machine's tezsigner settings, only what a fresh user has
  env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: join(base, 'user') };
  const init = await run(['init']);
  expect(init.code, init.stderr).toBe(0);
  pkh = /address: +(tz1\w+)/.exec(init.stdout)?.[1] ?? '';
  expect(pkh).not.toBe('');
}, 120_000);
afterAll(() => rm(base, { recursive: true, force: true }));

test('installs as install.sh does: the packed command, then npm into the prefix', async () => {
  const script = await readFile(join(REPO, 'install.sh'), 'utf8');
  expect(script).toContain('pnpm --filter @tezsigner/cli run pack-command\n');
  expect(script).toContain('npm install --global --prefix "$PREFIX" --no-audit --no-fund ./packages/cli/release/tezsigner.tgz\n');
  const { scripts } = JSON.parse(await readFile(join(REPO, 'packages/cli/package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts['pack-command']).toBe('node scripts/pack-command.mjs');
});

test('--version prints the version', async () => {
  const version = await run(['--version']);
  expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

test('init made the key in ~/.tezsigner, with its random passphrase there', async () => {
  const again = await run(['init']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(join(base, 'user/.tezsigner/keys'));
  expect(again.stdout).toContain(pkh);
});

describe.each(['SIGTERM', 'SIGINT'] as const)('serve, stopped by %s', (signal) => {
  test('signs, then exits 0 having freed its port', async () => {
    const serve = new CommandChild(tezsigner, ['serve', '--port', '0', '--metrics-port', '0'], { cwd: elsewhere, env });
    try {
      const url = await serve.listening();
      const key = await fetch(`${url}/keys/${pkh}`);
      expect(key.status).toBe(200);
      const signed = await fetch(`${url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tenderbakeBlock(100, 0)) });
      expect(signed.status).toBe(200);
      const exit = await serve.stop(signal);
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).toContain(`${signal} received, finishing requests in flight (at most 5000 ms)`);
      expect(exit.stderr).toContain('tezsigner: stopped');
      expect(await answers(`${url}/keys/${pkh}`)).toBe(false);
    } finally {
      serve.kill();
    }
  });
});

test('serve reloads on SIGHUP and keeps serving; the installed command runs native crypto', async () => {
  const serve = new CommandChild(tezsigner, ['serve', '--port', '0', '--no-metrics'], { cwd: elsewhere, env });
  try {
    const url = await serve.listening();
    // the native modules travel inside the package (linux-x64 is what CI and the tests run on)
    if (process.platform === 'linux' && process.arch === 'x64') expect(serve.stderr).toContain('crypto: ed25519, secp256k1, p256 and bls12_381 on native code');
    process.kill(serve.child.pid as number, 'SIGHUP');
    await waitUntil('serve to say SIGHUP received', () => serve.stderr.includes('SIGHUP received'));
    const signed = await fetch(`${url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tenderbakeBlock(100, 0)) });
    expect(signed.status).toBe(200);
    const exit = await serve.stop('SIGTERM');
    expect(exit.code, exit.stderr).toBe(0);
  } finally {
    serve.kill();
  }
});

test('serve whose request-log reader has gone keeps signing, and stops cleanly', async () => {
  const serve = new CommandChild(tezsigner, ['serve', '--port', '0', '--metrics-port', '0'], { cwd: elsewhere, env });
  serve.child.stdout?.destroy();
  try {
    const url = await serve.listening();
    for (const level of [200, 201]) {
      const signed = await fetch(`${url}/keys/${pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tenderbakeBlock(level, 0)) });
      expect(signed.status).toBe(200);
    }
    const exit = await serve.stop('SIGTERM');
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toContain('tezsigner: stopped');
  } finally {
    serve.kill();
  }
});

describe('a reader that goes away early (`| head -1`) gets no stack trace', () => {
  test.each([
    [['keys', 'list']],
    [['watermarks', 'show']],
    [['watermarks', 'show', '--json']],
    [['watermarks', 'export']],
    [['--help']],
    [['keys', 'list', '--help']],
  ])('tezsigner %j', async (args) => {
    const exit = await run(args, 'closed');
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toBe('');
  });
});

test('the installed command carries the compiled PKCS#11 binding: it makes and lists a key on SoftHSM2', async () => {
  const hsm = await createSoftHsm('installed');
  try {
    const token = ['--pkcs11-module', hsm.modulePath, '--pkcs11-token-label', hsm.label];
    const tokenEnv = { ...env, SOFTHSM2_CONF: hsm.conf, TEZSIGNER_PKCS11_PIN: hsm.pin };
    const made = await new CommandChild(tezsigner, ['pkcs11', 'keys', 'generate', ...token, '--curve', 'p256', '--label', 'baker'], { cwd: elsewhere, env: tokenEnv }).exited;
    expect(made.code, made.stderr).toBe(0);
    const address = /address: +(tz3\w+)/.exec(made.stdout)?.[1];
    expect(address).toBeDefined();
    const listed = await new CommandChild(tezsigner, ['pkcs11', 'keys', 'list', ...token], { cwd: elsewhere, env: tokenEnv }).exited;
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`baker\n  address:    ${address}\n`);
  } finally {
    await hsm.remove();
  }
});
