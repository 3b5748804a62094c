import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { CommandChild } from './support/command-child.js';
import { homeWithKeys, oneLineError, runTezsigner } from './support/run-cli.js';
import { MAIN, postSign, startServe } from './support/serve-child.js';

/**
 * A FIFO (or a socket, or a device) named like a mark, like an older release's `<kind>.json`
 * or like `format.json`: `tezsigner sign`, `serve` starting and `watermarks repair` each run as
 * a process of their own, must end (a FIFO without a writer blocks whoever opens it to read)
 * and say in one line which file it is and what.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';
const REPO = resolve(import.meta.dirname, '../../..');
/** Far above what a command takes here, even on a loaded machine: a command still running then hangs. */
const BOUND_MS = 40_000;

const homes: Array<() => Promise<void>> = [];
const sockets: Server[] = [];
afterAll(async () => {
  for (const server of sockets) server.close();
  for (const remove of homes) await remove();
});

/** A home with the key, a block signed at level 100 (so its mark folder exists) or none. */
async function home(signed: boolean): Promise<{ env: Record<string, string>; keyFolder: string }> {
  const { env, remove } = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'fifo passphrase');
  homes.push(remove);
  const keyFolder = join(env['TEZSIGNER_HOME'] as string, 'watermarks', CHAIN, KEY.public_key_hash);
  if (signed) expect((await runTezsigner(['sign', KEY.public_key_hash, tenderbakeBlock(100, 0)], { env })).code).toBe(0);
  else await mkdir(keyFolder, { recursive: true });
  return { env, keyFolder };
}

let entry: string[];
beforeAll(async () => {
  entry = [...(await nodeEntry(MAIN)).args];
});

/** `tezsigner <args>` as a process; fails the test if it has not ended within BOUND_MS. */
async function run(args: readonly string[], env: Record<string, string>) {
  const command = new CommandChild(process.execPath, [...entry, ...args], { cwd: REPO, env: { ...process.env, ...(await nodeEntry(MAIN)).env, ...env } });
  const bound = setTimeout(() => command.child.kill('SIGKILL'), BOUND_MS);
  const exit = await command.exited;
  clearTimeout(bound);
  expect(exit.signal, `tezsigner ${args.join(' ')} hung:\n${exit.stderr}`).toBeNull();
  return exit;
}

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('tezsigner: error: '));

describe('non-regular files where the file store expects its own', { timeout: 180_000 }, () => {
  test('the highest mark of a key is a FIFO: sign, serve and repair say so in one line', async () => {
    const { env, keyFolder } = await home(true);
    const path = join(keyFolder, 'block', '105-0.json');
    execFileSync('mkfifo', [path]);
    const said = `the watermark file ${path} is a FIFO (named pipe), not a file`;

    const signed = await run(['sign', KEY.public_key_hash, tenderbakeBlock(106, 0)], env);
    expect(signed.code).not.toBe(0);
    expect(errorLines(signed.stderr)).toEqual([expect.stringContaining(said)]);

    // serve starts (its other keys serve), says which file at once, and refuses that key's requests
    const server = await startServe([], env);
    try {
      expect(server.stderr()).toContain(`tezsigner: warning: could not read the stored watermarks for the metrics (${said}`);
      const refused = await postSign(server.url, KEY.public_key_hash, tenderbakeBlock(107, 0));
      expect(refused).toMatchObject({ status: 503, error: { code: 'STORE_CORRUPT' } });
    } finally {
      await server.stop();
    }

    const repaired = await run(['watermarks', 'repair'], env);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`repaired ${path}: a FIFO (named pipe); replaced by a mark at level 105 round 0`);
    expect(oneLineError(await runTezsigner(['sign', KEY.public_key_hash, tenderbakeBlock(105, 0, 0x01)], { env }))).toContain('refusing to sign');
    expect((await runTezsigner(['sign', KEY.public_key_hash, tenderbakeBlock(106, 0)], { env })).code).toBe(0);
  });

  test('the highest mark of a key is a socket: sign says so in one line, repair replaces it', async () => {
    const { env, keyFolder } = await home(true);
    const path = join(keyFolder, 'block', '105-0.json');
    const server = createServer();
    sockets.push(server);
    await new Promise<void>((listening) => server.listen(path, listening));
    const signed = await run(['sign', KEY.public_key_hash, tenderbakeBlock(106, 0)], env);
    expect(errorLines(signed.stderr)).toEqual([expect.stringContaining(`the watermark file ${path} is a socket, not a file`)]);
    expect((await runTezsigner(['watermarks', 'repair'], { env })).stdout).toContain(`repaired ${path}: a socket; replaced by a mark at level 105 round 0`);
  });

  test('block.json of an older release is a FIFO: sign, serve and repair say so in one line', async () => {
    const { env, keyFolder } = await home(false);
    const path = join(keyFolder, 'block.json');
    execFileSync('mkfifo', [path]);
    const said = `the watermark file ${path} is a FIFO (named pipe)`;

    const signed = await run(['sign', KEY.public_key_hash, tenderbakeBlock(106, 0)], env);
    expect(errorLines(signed.stderr)).toEqual([expect.stringContaining(said)]);

    const server = await startServe([], env);
    try {
      expect(server.stderr()).toContain(`could not read the stored watermarks for the metrics (${said}`);
      expect(await postSign(server.url, KEY.public_key_hash, tenderbakeBlock(107, 0))).toMatchObject({ status: 503, error: { code: 'STORE_CORRUPT' } });
    } finally {
      await server.stop();
    }

    const repaired = await run(['watermarks', 'repair'], env);
    expect(repaired.code).not.toBe(0);
    expect(errorLines(repaired.stderr)).toEqual([
      `tezsigner: error: cannot repair ${path}: it is a FIFO (named pipe), and a damaged file's level is never guessed from what is left of it; run again with --legacy-level <level> (the highest level this key may have signed, or the chain head)`,
    ]);
  });

  test('format.json is a FIFO: sign and serve refuse to start in one line; repair, which does not read it, ends', async () => {
    const { env } = await home(true);
    const path = join(env['TEZSIGNER_HOME'] as string, 'watermarks', 'format.json');
    await rm(path);
    execFileSync('mkfifo', [path]);
    const said = `tezsigner: error: ${path} is a FIFO (named pipe), not a file: move it away and start again (tezsigner writes it back)`;
    for (const args of [
      ['sign', KEY.public_key_hash, tenderbakeBlock(106, 0)],
      ['serve', '--address', '127.0.0.1', '--port', '0', '--no-metrics'],
    ]) {
      const exit = await run(args, env);
      expect(exit.code).not.toBe(0);
      expect(errorLines(exit.stderr)).toEqual([said]);
    }
    expect((await runTezsigner(['watermarks', 'repair'], { env })).code).toBe(0);
  });
});
