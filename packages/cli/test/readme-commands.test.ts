// The README's first screen holds three commands: the first sets up and starts a signer, the
// second signs a sample request with the key it made, the third sets up and runs every test.
// CI must run the third verbatim, and the first two are run here as a newcomer would: a user who
// is not root, with an empty HOME, in a fresh clone, Node and npm only. It installs from the npm
// registry, like the README's reader; then the test command's install step runs in that clone
// without a terminal, as CI or `ssh host cmd` runs it.
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, expect, test } from 'vitest';
import { REPOSITORY as REPO, cloneHead } from '../../../test-support/clone.js';
import { CommandChild, answers } from './support/command-child.js';
import { firstScreenCommands } from './support/readme-first-screen.js';

const NEWCOMER = 'tezsigner-newcomer';

/**
 * The first command with the signer on free ports: the suite must pass while the signer a
 * reader just started holds 6732 and 9583. That the defaults are those ports is checked
 * without binding them (`config show`, below).
 */
const onFreePorts = (command: string): string => {
  if (!command.endsWith('tezsigner serve')) throw new Error(`the first command no longer ends with \`tezsigner serve\`: ${command}`);
  return `${command} --port 0 --metrics-port 0`;
};

/** A user who is not root to run the first command as: this one if not root, else one made for it. */
function newcomer(): { uid: number; gid: number } | string {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) return 'no POSIX users on this platform';
  if (uid !== 0) return { uid, gid };
  try {
    execFileSync('id', ['-u', NEWCOMER], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NEWCOMER], { stdio: 'pipe' });
    } catch (err) {
      return `running as root and useradd cannot make the user ${NEWCOMER}: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, NEWCOMER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

const readme = await readFile(join(REPO, 'README.md'), 'utf8');
const [start, sample, testAll] = firstScreenCommands(readme);

test('the first screen holds the three commands, and CI runs the last verbatim', async () => {
  expect(firstScreenCommands(readme)).toHaveLength(3);
  expect(start).toMatch(/tezsigner init && \S+tezsigner serve$/);
  expect(sample).toMatch(/^~\/\.local\/bin\/tezsigner sign baker [0-9a-f]+$/);
  const ci = (await readFile(join(REPO, '.ci/run'), 'utf8')).trimEnd().split('\n');
  expect(ci.at(-1)).toBe(testAll);
  expect(testAll).toMatch(/^npx --yes pnpm@10 install && npx --yes pnpm@10 test$/);
});

const user = newcomer();
if (typeof user === 'string') console.warn(`SKIPPED the README's first command as a non-root user: ${user}`);
let folder: string | undefined;
afterAll(() => (folder === undefined ? undefined : rm(folder, { recursive: true, force: true })));

test.skipIf(typeof user === 'string')(
  "the first command, run by a non-root user with an empty HOME on a fresh clone, starts a signer that the sample signs with and Ctrl-C stops; the test command's install step then runs there without a terminal",
  { timeout: 600_000 },
  async () => {
    if (typeof user === 'string' || start === undefined || sample === undefined || testAll === undefined) throw new Error('unreachable');
    folder = await mkdtemp(join(tmpdir(), 'tezsigner-readme-'));
    const clone = join(folder, 'repo');
    const home = join(folder, 'home');
    cloneHead(clone);
    await mkdir(home);
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, folder]);
    await chown(folder, user.uid, user.gid);

    const asNewcomer = {
      cwd: clone,
      uid: user.uid,
      gid: user.gid,
      env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: home, LANG: 'C.UTF-8' },
    };
    // as pasted into a shell: bash, in its own process group as a terminal's foreground job is
    const shell = new CommandChild('bash', ['-c', onFreePorts(start)], { ...asNewcomer, detached: true });
    try {
      const url = await shell.listening();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const pkh = /address: +(tz1\w+)/.exec(shell.stdout)?.[1];
      expect(pkh, shell.stdout).toBeDefined();
      const key = await fetch(`${url}/keys/${pkh}`);
      expect(key.status).toBe(200);
      const publicKey = ((await key.json()) as { public_key: string }).public_key;
      expect(publicKey).toMatch(/^edpk/);
      expect(shell.stdout).toContain(`generated a random vault passphrase into ${home}/.tezsigner/passphrase`);
      // install.sh: one line per step, none of the build tools' own output
      expect(shell.stdout).toMatch(/^fetching the dependencies \(pnpm, npm registry\)\.\.\. done\nbundling the command into one package\.\.\. done\ninstalling it into ~\/\.local\.\.\. done\ninstalled tezsigner \d+\.\d+\.\d+ to ~\/\.local\/bin\n/);
      expect(`${shell.stdout}${shell.stderr}`).not.toMatch(/Scope:|Progress:|\.tgz|added \d+ package|npm notice|npm warn|update available/i);
      // what to do next, after `listening on`
      expect(shell.stderr).toContain(`tezsigner: listening on ${url} (Ctrl-C or SIGTERM stops it)\ntezsigner: next, on the baker's machine: octez-client import secret key baker ${url}/${pkh}\n`);

      // the sample step, verbatim, in a second shell while the signer runs
      const signed = await new CommandChild('bash', ['-c', sample], asNewcomer).exited;
      expect(signed.code, signed.stderr).toBe(0);
      const signature = signed.stdout.trim();
      expect(signature).toMatch(/^edsig/);
      const bytes = /tezsigner sign baker ([0-9a-f]+)$/.exec(sample)?.[1] ?? '';
      expect(verifySignature(bytes, publicKey, signature)).toBe(true);
      const again = await new CommandChild('bash', ['-c', sample], asNewcomer).exited;
      expect(again.stdout.trim()).toBe(signature);

      // the ports the README names are the defaults, checked without binding them
      const shown = await new CommandChild(join(home, '.local/bin/tezsigner'), ['config', 'show'], asNewcomer).exited;
      expect(shown.stdout).toMatch(/^listen\.port: +6732 +\(default\)$/m);
      expect(shown.stdout).toMatch(/^metrics\.port: +9583 +\(default\)$/m);

      const exit = await shell.stop('SIGINT', true);
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).toContain('SIGINT received');
      expect(exit.stderr).toContain('tezsigner: stopped');
      expect(await answers(`${url}/keys/${pkh}`)).toBe(false);
    } finally {
      shell.kill(true);
    }

    // The test command's install step after install.sh's production install, without a
    // terminal (standard input is not one) and not told it runs in CI: it must not stop to ask.
    // It runs as this process's user, whose package store is warm (the newcomer's would fetch
    // every test tool again); what it finds in the clone is what install.sh left.
    const installStep = testAll.split(' && ')[0] ?? '';
    expect(installStep).toBe('npx --yes pnpm@10 install');
    const { CI: _ci, ...env } = process.env;
    const installed = await new CommandChild('bash', ['-c', installStep], { cwd: clone, env }).exited;
    expect(installed.code, `${installed.stdout}${installed.stderr}`).toBe(0);
    // the one install script left out on purpose is named in pnpm-workspace.yaml, so pnpm does not warn of it
    expect(`${installed.stdout}${installed.stderr}`).not.toContain('Ignored build scripts');
    expect(await readFile(join(clone, 'node_modules/.modules.yaml'), 'utf8')).toContain('"devDependencies": true');
  },
);
