// The README's first screen holds two commands: the first sets up and starts a signer, the
// second sets up and runs every test. CI must run the second verbatim, and the first is run
// here as a newcomer would: a user who is not root, with an empty HOME, in a fresh clone,
// Node and npm only. It installs from the npm registry, like the README's reader.
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { REPOSITORY as REPO, cloneHead } from '../../../test-support/clone.js';
import { CommandChild, answers } from './support/command-child.js';

const NEWCOMER = 'tezsigner-newcomer';

/** The shell blocks of the README's first screen (before its first rule), in order. */
function firstScreenCommands(readme: string): string[] {
  const screen = readme.split('\n---\n')[0] ?? '';
  return [...screen.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((block) => block[1] ?? '');
}

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
const [start, testAll] = firstScreenCommands(readme);

test('the first screen holds the two commands, and CI runs the second verbatim', async () => {
  expect(firstScreenCommands(readme)).toHaveLength(2);
  expect(start).toContain('tezsigner serve');
  const ci = (await readFile(join(REPO, '.ci/run'), 'utf8')).trimEnd().split('\n');
  expect(ci.at(-1)).toBe(testAll);
  expect(testAll).toMatch(/^npx --yes pnpm@10 install && npx --yes pnpm@10 test$/);
});

const user = newcomer();
if (typeof user === 'string') console.warn(`SKIPPED the README's first command as a non-root user: ${user}`);
let folder: string | undefined;
afterAll(() => (folder === undefined ? undefined : rm(folder, { recursive: true, force: true })));

test.skipIf(typeof user === 'string')(
  "the first command, run by a non-root user with an empty HOME on a fresh clone, starts a signer on 127.0.0.1 that Ctrl-C stops",
  { timeout: 600_000 },
  async () => {
    if (typeof user === 'string' || start === undefined) throw new Error('unreachable');
    folder = await mkdtemp(join(tmpdir(), 'tezsigner-readme-'));
    const clone = join(folder, 'repo');
    const home = join(folder, 'home');
    cloneHead(clone);
    await mkdir(home);
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, folder]);
    await chown(folder, user.uid, user.gid);

    // as pasted into a shell: bash, in its own process group as a terminal's foreground job is
    const shell = new CommandChild('bash', ['-c', start], {
      cwd: clone,
      uid: user.uid,
      gid: user.gid,
      detached: true,
      env: { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: home, LANG: 'C.UTF-8' },
    });
    try {
      const url = await shell.listening();
      expect(url).toBe('http://127.0.0.1:6732');
      const pkh = /address: +(tz1\w+)/.exec(shell.stdout)?.[1];
      expect(pkh, shell.stdout).toBeDefined();
      const key = await fetch(`${url}/keys/${pkh}`);
      expect(key.status).toBe(200);
      expect(((await key.json()) as { public_key: string }).public_key).toMatch(/^edpk/);
      expect(shell.stdout).toContain(`generated a random vault passphrase into ${home}/.tezsigner/passphrase`);

      const exit = await shell.stop('SIGINT', true);
      expect(exit.code, exit.stderr).toBe(0);
      expect(exit.stderr).toContain('SIGINT received');
      expect(exit.stderr).toContain('tezsigner: stopped');
      expect(await answers(`${url}/keys/${pkh}`)).toBe(false);
    } finally {
      shell.kill(true);
    }
  },
);
