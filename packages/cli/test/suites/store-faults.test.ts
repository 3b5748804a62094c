import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { homeWithKeys, runTezsigner } from '../support/run-cli.js';
import { CommandChild } from '../support/command-child.js';
import { MAIN, postSign, refusedLines, spawnServe, type ServeChild } from '../support/serve-child.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';

/**
 * Faults of the file store under a running `tezsigner serve`: each must fail closed (no
 * signature, 503 with the store's code, one log line), turn /readyz not ready while it lasts,
 * and clear by itself once the fault is gone (or, for a damaged file, once `watermarks repair`
 * ran), with no mark lowered. The home is on a small tmpfs the test mounts, so that it can
 * fill it and make it read-only; where mounting is not allowed the file system cases say so.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';
const REPO = resolve(import.meta.dirname, '../../../..');

// mounted while the file is collected, so that the cases needing it are skipped (with the line
// below saying why) rather than passing without a check where it cannot be mounted
const mountPoint = await mkdtemp(join(tmpdir(), 'tezsigner-faults-'));
const mounted = mountSmallTmpfs(mountPoint);
const onSmallTmpfs = test.runIf(mounted);
let home: string;
let env: Record<string, string>;
let server: ServeChild;
let level = 100;

const sign = (at: number) => postSign(server.url, KEY.public_key_hash, tenderbakeBlock(at, 0));
const readiness = async () => {
  const response = await fetch(`${server.metricsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; reasons?: string[] } };
};
const logLinesWith = (code: string) => refusedLines(server.stdout(), code);

/** While `fault` holds: two requests fail closed with `code`, one log line each, and /readyz says so; then `clear` and it signs again. */
async function failsClosedThenRecovers(code: string, fault: () => Promise<void>, clear: () => Promise<void>) {
  const before = await sign(++level);
  expect(before.status).toBe(200);
  await fault();
  const linesBefore = logLinesWith(code);
  for (let i = 0; i < 2; i++) {
    const refused = await sign(++level);
    expect(refused).toMatchObject({ status: 503, error: { code } });
    expect(refused.signature).toBeUndefined();
  }
  // the request log line reaches stdout a moment after the answer
  for (const deadline = Date.now() + 5_000; logLinesWith(code) - linesBefore < 2 && Date.now() < deadline; ) await new Promise((done) => setTimeout(done, 20));
  expect(logLinesWith(code) - linesBefore).toBe(2);
  const notReady = await readiness();
  expect(notReady.status).toBe(503);
  expect(notReady.body.reasons?.join(' ')).toContain(code);
  await clear();
  expect((await readiness()).status).toBe(200);
  // no mark lowered: the level signed before the fault is still refused, a higher one signs
  expect((await postSign(server.url, KEY.public_key_hash, tenderbakeBlock(level - 2, 0, 0x01))).status).toBe(409);
  expect((await sign(++level)).status).toBe(200);
}

/** Fills the small tmpfs to its last byte. */
async function fillDisk(): Promise<void> {
  await writeFile(join(mountPoint, 'filler'), Buffer.alloc(4 * 1024 * 1024)).catch(() => undefined);
  // whatever room is left in the last block goes too
  for (let i = 0; ; i++) {
    try {
      await writeFile(join(mountPoint, `filler-${i}`), 'x'.repeat(512));
    } catch {
      break;
    }
  }
}

async function emptyDisk(): Promise<void> {
  for (const name of await readdir(mountPoint)) if (name.startsWith('filler')) await rm(join(mountPoint, name));
}

function mountSmallTmpfs(path: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', path], { stdio: 'ignore' });
    return true;
  } catch {
    console.log(`store faults: cannot mount a small tmpfs here (not root?): the tmpfs, full and read-only cases are skipped, the others run in ${path}`);
    return false;
  }
}

beforeAll(async () => {
  home = join(mountPoint, 'home');
  ({ env } = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'faults passphrase', home));
  server = await spawnServe(['--address', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--log-level', 'info'], env);
});
afterAll(async () => {
  await server?.stop();
  if (mounted) execFileSync('umount', [mountPoint]);
  await rm(mountPoint, { recursive: true, force: true });
});

describe('file store faults under a running serve', () => {
  onSmallTmpfs('a home on tmpfs is warned about at start', () => {
    expect(server.stderr()).toMatch(/tmpfs, held in memory: they are lost at reboot/);
  });

  test('the watermarks folder deleted mid-run: STORE_UNAVAILABLE until it is back, never made afresh', async () => {
    const saved = join(mountPoint, 'saved');
    await failsClosedThenRecovers(
      'STORE_UNAVAILABLE',
      () => rename(join(home, 'watermarks'), saved),
      () => rename(saved, join(home, 'watermarks')),
    );
  });

  // another process's mark, above what this one signs next, damaged: the commit must read it
  test.each<[string, (path: string) => Promise<void>, string]>([
    ['cut short', (path) => writeFile(path, '{"level":'), 'is not valid JSON (truncated?)'],
    ['holding garbage', (path) => writeFile(path, '\u0000\u00ff garbage, not a mark \u0007'), 'is not valid JSON'],
    [
      'a symbolic link to a well-formed mark elsewhere',
      async (path) => {
        const elsewhere = join(mountPoint, `elsewhere-${basename(path)}`);
        await writeFile(elsewhere, JSON.stringify({ level: Number.parseInt(basename(path), 10), round: 0, hash: 'ab'.repeat(32) }));
        await symlink(elsewhere, path);
      },
      'is a symbolic link',
    ],
  ])('a mark file %s: STORE_CORRUPT naming it, until `watermarks repair`', async (_, damage, why) => {
    const folder = join(home, 'watermarks', CHAIN, KEY.public_key_hash, 'block');
    let damaged = { level: 0, path: '' };
    await failsClosedThenRecovers(
      'STORE_CORRUPT',
      () => {
        damaged = { level: level + 1000, path: join(folder, `${level + 1000}-0.json`) };
        return damage(damaged.path);
      },
      async () => {
        const repaired = await runTezsigner(['watermarks', 'repair'], { env });
        expect(repaired.code).toBe(0);
        expect(repaired.stdout).toContain(damaged.path);
        expect((await lstat(damaged.path)).isFile()).toBe(true);
        // the mark stays as high as the damaged entry: below it nothing signs, above it all does
        level = damaged.level;
      },
    );
    expect(server.stdout()).toContain(`${damaged.path} ${why}`);
  });

  onSmallTmpfs('the file system full: STORE_UNAVAILABLE until there is room', async () => {
    await failsClosedThenRecovers(
      'STORE_UNAVAILABLE',
      fillDisk,
      emptyDisk,
      // a full disk fails the audit log's append, which comes before the watermark commit: /readyz
      // probes the audit log too (a trial write beside it), so it is not ready until there is room
    );
  });

  onSmallTmpfs('serve started on the full file system says in one line that the disk is full, naming the folder', async () => {
    const other = join(mountPoint, 'other-home');
    const { env: otherEnv } = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'faults passphrase', other);
    await fillDisk();
    try {
      const node = await nodeEntry(MAIN);
      const exit = await new CommandChild(process.execPath, [...node.args, 'serve', '--address', '127.0.0.1', '--port', '0', '--no-metrics'], {
        cwd: REPO,
        env: { ...process.env, ...node.env, ...otherEnv },
      }).exited;
      expect(exit.code).not.toBe(0);
      expect(exit.stderr.split('\n').filter((line) => line.startsWith('tezsigner: error: '))).toEqual([
        `tezsigner: error: cannot write in ${join(other, 'watermarks')} (tmpfs): the disk is full (ENOSPC: no space left on device); free some space on it, then start again`,
      ]);
    } finally {
      await emptyDisk();
      await rm(other, { recursive: true, force: true });
    }
  });

  onSmallTmpfs('the file system read-only: STORE_UNAVAILABLE until it is writable', async () => {
    await failsClosedThenRecovers(
      'STORE_UNAVAILABLE',
      // the watermarks folder alone, bound read-only onto itself (the audit log stays writable)
      async () => {
        const folder = join(home, 'watermarks');
        execFileSync('mount', ['--bind', folder, folder]);
        execFileSync('mount', ['-o', 'remount,bind,ro', folder]);
      },
      async () => void execFileSync('umount', [join(home, 'watermarks')]),
    );
  });
});
