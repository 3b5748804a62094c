import { createServer } from 'node:net';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

const [ED, , SP] = keyVectors();
if (ED === undefined || SP === undefined) throw new Error('missing key vectors');

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
beforeEach(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'serve test passphrase' };
});
afterEach(() => home.remove());

const importKey = async (secret: string) => expect((await runTezsigner(['keys', 'import', secret], { env })).code).toBe(0);

/** Runs `serve` in this process until `work` is done with its URL, then stops it as a signal would. */
async function whileServing(args: readonly string[], work: (url: string) => Promise<void>): Promise<Awaited<ReturnType<typeof runTezsigner>>> {
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  const running = runTezsigner(['serve', '--port', '0', '--metrics-port', '0', ...args], {
    env,
    stop: stopped,
    onStderr: (text) => {
      const found = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      if (found !== undefined) listening(found);
    },
  });
  const outcome = await Promise.race([url.then((value) => ({ url: value })), running.then((run) => ({ run }))]);
  if ('run' in outcome) throw new Error(`serve ended before listening: ${outcome.run.stderr}`);
  try {
    await work(outcome.url);
  } finally {
    stop('SIGTERM');
  }
  return running;
}

describe('tezsigner serve', () => {
  test('serves the vault keys to Taquito, logs each request and stops cleanly', async () => {
    await importKey(ED.secret_key);
    await importKey(SP.secret_key);
    const run = await whileServing([], async (url) => {
      for (const key of [ED, SP]) {
        const remote = new RemoteSigner(key.public_key_hash, url);
        expect(await remote.publicKey()).toBe(key.public_key);
        await remote.sign(tenderbakeBlock(300, 0));
      }
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`key ${ED.public_key_hash} (ed25519`);
    expect(run.stderr).toContain('crypto: ed25519, secp256k1, p256 and bls12_381 on native code\n');
    expect(run.stderr).toContain('SIGTERM received');
    expect(run.stderr).toContain('stopped');
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.outcome === 'signed')).toHaveLength(2);
    expect(run.stdout + run.stderr).not.toContain(ED.secret_key);
  });

  test('--authorized-keys turns authentication on', async () => {
    await importKey(ED.secret_key);
    const file = join(home.path, 'authorized');
    await writeFile(file, `${SP.public_key} the baker's authentication key\n`);
    const run = await whileServing(['--authorized-keys', file], async (url) => {
      const listed = (await (await fetch(`${url}/authorized_keys`)).json()) as unknown;
      expect(listed).toEqual({ authorized_keys: [SP.public_key_hash] });
      const unauthenticated = await fetch(`${url}/keys/${ED.public_key_hash}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(tenderbakeBlock(1, 0)),
      });
      expect(unauthenticated.status).toBe(401);
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('authentication: 1 authorized key(s)');
  });

  test('says in plain words what it signs, which risky endpoints are on, and what to do next', async () => {
    await importKey(ED.secret_key);
    let served = '';
    const run = await whileServing(['--allow-list-known-keys', '--allow-prove-possession'], async (url) => {
      served = url;
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('tezsigner: signs: 0x11 (block), 0x12 (preattestation), 0x13 (attestation); anything else is refused (the default; --magic-bytes or --policy widens it)\n');
    expect(run.stderr).toContain('warning: GET /known_keys is on (--allow-list-known-keys)');
    expect(run.stderr).toContain('warning: GET /bls_prove_possession is on (--allow-prove-possession): turn it off once the tz4 key is revealed');
    expect(run.stderr).toContain(`tezsigner: listening on ${served} (Ctrl-C or SIGTERM stops it)\ntezsigner: next, on the baker's machine: octez-client import secret key `);
    expect(run.stderr).toMatch(new RegExp(`octez-client import secret key \\S+ ${served}/${ED.public_key_hash}\\n`));
    expect(run.stderr).not.toMatch(/noble|window \d|policy: --magic-bytes/);
    const plain = await whileServing([], async () => undefined);
    expect(plain.stderr).not.toContain('/known_keys is on');
    expect(plain.stderr).not.toContain('/bls_prove_possession is on');
  });

  test('--no-check-high-watermark warns loudly', async () => {
    await importKey(ED.secret_key);
    const run = await whileServing(['--no-check-high-watermark'], async () => undefined);
    expect(run.stderr).toContain('high watermarks are OFF');
  });

  test('on an empty home, exits non-zero and says how to make or import a key, without a secret on the command line', async () => {
    const line = oneLineError(await runTezsigner(['serve', '--port', '0'], { env }));
    expect(line).toContain('no key to serve');
    expect(line).toContain('tezsigner init');
    expect(line).toContain('`tezsigner keys import`, which reads the secret key from standard input or asks for it');
    expect(line).not.toMatch(/<secret|edsk/);
  });

  test('a home that does not exist is a one-line error, and is not created', async () => {
    const missing = join(home.path, 'mistyped');
    expect(oneLineError(await runTezsigner(['serve', '--port', '0', '--home', missing], { env }))).toContain(`no tezsigner home at ${missing}`);
    await expect(stat(missing)).rejects.toThrow();
  });

  test('--help shows each default once', async () => {
    const help = await runTezsigner(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--check-high-watermark');
    expect(help.stdout).not.toMatch(/\(default\)\s*\(default/);
    expect(help.stdout).not.toContain('(default: true)');
  });

  test('a port in use is a one-line error', async () => {
    await importKey(ED.secret_key);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      expect(oneLineError(await runTezsigner(['serve', '--port', String(port)], { env }))).toBe(
        `tezsigner: error: cannot listen on 127.0.0.1:${port}: the port is already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  test.each([
    ['a wrong passphrase', ['serve', '--port', '0'], { TEZSIGNER_PASSPHRASE: 'not the passphrase' }, 'wrong passphrase'],
    ['a missing passphrase', ['serve', '--port', '0'], { TEZSIGNER_PASSPHRASE: undefined }, 'TEZSIGNER_PASSPHRASE'],
    ['a passphrase file that does not exist', ['serve', '--port', '0', '--passphrase-file', '/nonexistent/pass'], { TEZSIGNER_PASSPHRASE: undefined }, '/nonexistent/pass'],
    ['a bad magic-byte list', ['serve', '--port', '0', '--magic-bytes', '11,12'], {}, 'is not a magic byte'],
    ['a bad port', ['serve', '--port', '70000'], {}, 'is not a port number'],
    ['a missing authorized-keys file', ['serve', '--port', '0', '--authorized-keys', '/nonexistent/keys'], {}, 'cannot read the authorized keys file'],
    ['an unknown vault', ['serve', '--vault', 'yubihsm'], {}, "argument 'yubihsm' is invalid"],
    ['an unknown option', ['serve', '--bogus'], {}, "unknown option '--bogus'"],
    ['an unknown command', ['start'], {}, "unknown command 'start'"],
  ])('%s is a one-line error', async (_what, args, extraEnv, message) => {
    await importKey(ED.secret_key);
    expect(oneLineError(await runTezsigner(args, { env: { ...env, ...extraEnv } }))).toContain(message);
  });

  test('an authorized-keys file holding an address is a one-line error', async () => {
    await importKey(ED.secret_key);
    const file = join(home.path, 'authorized');
    await writeFile(file, `${SP.public_key_hash}\n`);
    expect(oneLineError(await runTezsigner(['serve', '--port', '0', '--authorized-keys', file], { env }))).toContain('is an address');
  });
});
