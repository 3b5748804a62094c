import { resolve } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { CommandChild, answers } from './support/command-child.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

const REPO = resolve(import.meta.dirname, '../../..');
const [ED] = keyVectors();
if (ED === undefined) throw new Error('missing key vectors');

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(() => home.remove());

test('`tezsigner serve` as its own process answers on loopback and stops on SIGTERM', async () => {
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'process test passphrase' };
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);

  const node = await nodeEntry('packages/cli/src/main.ts');
  const serve = new CommandChild(process.execPath, [...node.args, 'serve', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, ...node.env, ...env },
  });
  try {
    const url = await serve.listening();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const bytes = tenderbakeBlock(400, 0);
    const signed = await new RemoteSigner(ED.public_key_hash, url).sign(bytes);
    expect(verifySignature(bytes, ED.public_key, signed.prefixSig)).toBe(true);

    const exit = await serve.stop('SIGTERM');
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('SIGTERM received');
    expect(exit.stderr).toContain('stopped');
    expect(exit.stdout).toContain('"outcome":"signed"');
    expect(await answers(`${url}/keys/${ED.public_key_hash}`)).toBe(false);
  } finally {
    serve.kill();
  }
});
