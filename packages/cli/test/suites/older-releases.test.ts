import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { CommandChild } from '../support/command-child.js';
import { olderRelease } from '../support/older-release.js';
import { MAIN, postSign } from '../support/serve-child.js';

/**
 * The long form (TEZSIGNER_LONG=1) of local-adapter/test/older-release.test.ts: the older
 * releases themselves, built from this repository's history, serving on one home beside this
 * release's `serve`, each frozen (SIGSTOP) past the 10 s after which format 1 takes a lock over,
 * at the write that matters (support/freeze-at.mjs), while the other is asked to sign the same
 * levels with other bytes. Every signature any of them returns is verified, and no two payloads
 * may be signed at one (level, round).
 *
 * - f0c13e0: watermark format 1, one block.json per watermark, replaced by rename under a lock
 *   taken over after 10 s; it writes the mark before it signs.
 * - a835463: the last commit of main before watermark format 2 was merged (6875812, found with
 *   `git log --first-parent --merges`): a folder per watermark, committed by link(2) without a
 *   lock, block.json read once as a floor, no marker and no format number.
 */
const LONG = process.env['TEZSIGNER_LONG'] === '1';
const FORMAT_1 = 'f0c13e04354497e0028dee626896147e261f3f4f';
const BEFORE_FORMAT_2 = 'a835463fe65d5d4ca7a55425751b885edcd7a043';
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const PASSPHRASE = 'older releases passphrase';
const REPO = resolve(import.meta.dirname, '../../../..');
const FREEZE_HOOK = resolve(REPO, 'packages/local-adapter/test/support/freeze-at.mjs');
/** Past format 1's 10 s, after which any older process would take the lock over. */
const FREEZE_MS = 12_000;

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' });

// Without TEZSIGNER_LONG, what the long form stands on: the releases it names are in this
// history, and are what it says they are (the short form is local-adapter/test/older-release.test.ts).
if (!LONG) {
  test("the older releases the long form builds are the ones it names, in this repository's history", () => {
    const format1 = git('show', `${FORMAT_1}:packages/local-adapter/src/file-watermark-store.ts`);
    expect(format1).toContain('`${kind}.json`');
    expect(format1).toContain('withFileLock(');
    // the first parent of the merge that brought format 2
    const merge = git('log', '-1', '--format=%P %s', '68758126387d94dc3222e58bd8f586f38a0183c0');
    expect(merge).toMatch(new RegExp(`^${BEFORE_FORMAT_2} \\S+ Merge issue-26: the file store's review findings \\(format version`));
    expect(git('show', `${BEFORE_FORMAT_2}:packages/local-adapter/src/watermarks/file-store.ts`)).toContain('then link(2)ed into place');
  });
}

const releases: Record<string, string> = {};
beforeAll(async () => {
  if (!LONG) return;
  releases[FORMAT_1] = await olderRelease(FORMAT_1);
  releases[BEFORE_FORMAT_2] = await olderRelease(BEFORE_FORMAT_2);
}, 1_200_000);

interface Signer {
  readonly name: string;
  readonly url: string;
  readonly command: CommandChild;
  /** the next matching file operation freezes it (see freeze-at.mjs) */
  arm(): Promise<void>;
  /** resolves once it froze */
  frozen(): Promise<void>;
  resume(): void;
}

const running: CommandChild[] = [];
const scratch: string[] = [];
afterEach(async () => {
  for (const command of running.splice(0)) {
    command.child.kill('SIGCONT');
    command.child.kill('SIGKILL');
  }
  for (const folder of scratch.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A home whose key the release at `main` (an older one: its key files are the oldest layout) imported. */
async function homeOf(main: string): Promise<Record<string, string>> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-releases-'));
  scratch.push(home);
  const env = { TEZSIGNER_HOME: home, TEZSIGNER_PASSPHRASE: PASSPHRASE };
  const imported = await new CommandChild(process.execPath, [main, 'keys', 'import', KEY.secret_key], { cwd: REPO, env: { ...process.env, ...env } }).exited;
  expect(imported.code, imported.stderr).toBe(0);
  return env;
}

/** `serve` of a release (`entry`: node's arguments up to the command), frozen at `freezeAt` once armed. */
async function serve(name: string, entry: readonly string[], env: Record<string, string>, freezeAt: string, extra: readonly string[] = []): Promise<Signer> {
  const arm = join(env['TEZSIGNER_HOME'] as string, `.arm-${name.replace(/\W/g, '-')}`);
  const command = new CommandChild(process.execPath, ['--import', FREEZE_HOOK, ...entry, 'serve', '--address', '127.0.0.1', '--port', '0', ...extra], {
    cwd: REPO,
    env: { ...process.env, ...env, TEZSIGNER_TEST_FREEZE_AT: freezeAt, TEZSIGNER_TEST_FREEZE_ARM: arm },
  });
  running.push(command);
  const url = await command.listening();
  return {
    name,
    url,
    command,
    arm: () => writeFile(arm, ''),
    frozen: () => waitUntil(`${name} frozen at ${freezeAt}`, () => command.stdout.includes('"frozen"'), { timeoutMs: 60_000 }).then(() => undefined),
    resume: () => command.child.kill('SIGCONT'),
  };
}

const thisRelease = async (env: Record<string, string>, freezeAt: string): Promise<Signer> => {
  const node = await nodeEntry(MAIN);
  return serve('this release', node.args, { ...env, ...node.env }, freezeAt, ['--no-metrics']);
};

/** Every signature returned, verified, by position: one payload at most at each. */
class Released {
  readonly #byLevel = new Map<number, Map<string, string>>();
  readonly log: string[] = [];
  async sign(signer: Signer, level: number, payload: number): Promise<number> {
    const hex = tenderbakeBlock(level, 0, payload);
    const answer = await postSign(signer.url, KEY.public_key_hash, hex);
    this.log.push(`${signer.name} level ${level}: ${answer.status}${answer.error === undefined ? '' : ` ${answer.error.code}`}`);
    if (answer.status === 200) {
      expect(answer.signature, `${signer.name} at ${level}`).toBeDefined();
      expect(verifySignature(hex, KEY.public_key, answer.signature as string), `${signer.name}'s signature at ${level}`).toBe(true);
      const payloads = this.#byLevel.get(level) ?? new Map<string, string>();
      payloads.set(hex, answer.signature as string);
      this.#byLevel.set(level, payloads);
    }
    return answer.status;
  }
  expectOnePayloadPerPosition(): void {
    for (const [level, payloads] of this.#byLevel) expect(payloads.size, `payloads signed at level ${level} round 0:\n${this.log.join('\n')}`).toBe(1);
  }
  signedAt(level: number): boolean {
    return this.#byLevel.has(level);
  }
}

/**
 * A home an older release (at `commit`) made and signed levels 1 to 5 on with `payload`, that
 * release's `serve` and this one's, each frozen at its `freezeAt` once armed.
 */
async function olderThenThis(commit: string, payload: number, freezes: { older?: string; this?: string } = {}) {
  const main = releases[commit] as string;
  const env = await homeOf(main);
  const released = new Released();
  // a835463 has a metrics listener, which this release's would collide with
  const old = await serve(commit.slice(0, 7), [main], env, freezes.older ?? '', commit === FORMAT_1 ? [] : ['--no-metrics']);
  for (let level = 1; level <= 5; level++) expect(await released.sign(old, level, payload)).toBe(200);
  const fresh = await thisRelease(env, freezes.this ?? '');
  return { released, old, fresh };
}

/**
 * Asks `signer` for `level`, freezing it in that request (past `ms`), runs `meanwhile`, resumes
 * it: the frozen request's status.
 */
async function frozenWhile(released: Released, signer: Signer, level: number, payload: number, meanwhile: () => Promise<void>, ms = FREEZE_MS): Promise<number> {
  await signer.arm();
  const frozenSign = released.sign(signer, level, payload);
  await signer.frozen();
  const since = performance.now();
  await meanwhile();
  await new Promise((done) => setTimeout(done, Math.max(0, since + ms - performance.now())));
  signer.resume();
  return frozenSign;
}

if (LONG) describe('older releases beside this one on one home, each frozen past the stale lock time', { timeout: 300_000 }, () => {
  test('format 1 (f0c13e0) frozen inside its write of block.json while this release is asked to sign', async () => {
    const { released, old, fresh } = await olderThenThis(FORMAT_1, 0x01, { older: 'before rename block.json' });
    const frozen = await frozenWhile(released, old, 6, 0x01, async () => {
      // this release, asked for the same level with other bytes and for the next, never takes
      // the lock over, so it signs neither
      for (const status of await Promise.all([released.sign(fresh, 6, 0x02), released.sign(fresh, 7, 0x02)])) expect(status).not.toBe(200);
    });
    // format 1 finishes the write it was frozen in, and signs
    expect(frozen).toBe(200);

    // then both are asked for the same levels, each with its own bytes
    for (let level = 7; level <= 12; level++) await Promise.all([released.sign(old, level, 0x01), released.sign(fresh, level, 0x02)]);
    released.expectOnePayloadPerPosition();
    // this release took the watermark over: format 1 signs nothing any more, this one signs on
    for (let level = 13; level <= 15; level++) {
      expect(await released.sign(old, level, 0x01)).not.toBe(200);
      expect(await released.sign(fresh, level, 0x02)).toBe(200);
    }
    released.expectOnePayloadPerPosition();
  });

  test('this release frozen in its move of block.json (the file moved aside, no marker yet) while format 1 (f0c13e0) is asked to sign', async () => {
    const { released, old, fresh } = await olderThenThis(FORMAT_1, 0x01, { this: 'after rename .block.json.retired.' });
    const frozen = await frozenWhile(released, fresh, 6, 0x02, async () => {
      // block.json is gone and its lock is a file: format 1 can neither lock nor, so, read it
      for (let level = 6; level <= 9; level++) expect(await released.sign(old, level, 0x01)).not.toBe(200);
    });
    expect(frozen).toBe(200);
    for (let level = 7; level <= 10; level++) {
      expect(await released.sign(old, level, 0x01)).not.toBe(200);
      expect(await released.sign(fresh, level, 0x02)).toBe(200);
    }
    released.expectOnePayloadPerPosition();
  });

  test('the release before format 2 (a835463) frozen after its check, before its commit, while this release signs', async () => {
    const { released, old, fresh } = await olderThenThis(BEFORE_FORMAT_2, 0x03, { older: 'before link 6-0.json' });
    const frozen = await frozenWhile(released, old, 6, 0x03, async () => {
      expect(await released.sign(fresh, 6, 0x02)).toBe(200);
      expect(await released.sign(fresh, 7, 0x02)).toBe(200);
    });
    // its link finds the position taken: it counts for nothing
    expect(frozen).not.toBe(200);
    for (let level = 8; level <= 12; level++) await Promise.all([released.sign(old, level, 0x03), released.sign(fresh, level, 0x02)]);
    released.expectOnePayloadPerPosition();
  });

  test('this release frozen in its first commit (format 1 just locked out) while the release before format 2 (a835463) signs', async () => {
    const { released, old, fresh } = await olderThenThis(BEFORE_FORMAT_2, 0x03, { this: 'after writeFile block.json.lock' });
    const frozen = await frozenWhile(released, fresh, 6, 0x02, async () => {
      for (let level = 6; level <= 8; level++) expect(await released.sign(old, level, 0x03)).toBe(200);
    });
    // it signed level 6 before it froze; its commit finds the older release's mark there and above
    expect(frozen).not.toBe(200);
    for (let level = 9; level <= 12; level++) await Promise.all([released.sign(old, level, 0x03), released.sign(fresh, level, 0x02)]);
    expect(released.signedAt(12)).toBe(true);
    released.expectOnePayloadPerPosition();
  });
});
