import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { captureLog } from '../../../test-support/log-capture.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { runTezsigner, tempHome } from './support/run-cli.js';

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

  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', 'serve', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    captureLog(chunk.toString('utf8'));
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const url = await new Promise<string>((found, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        captureLog(chunk.toString('utf8'));
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match?.[1] !== undefined) found(match[1]);
      });
      void exited.then((code) => fail(new Error(`serve exited with ${code} before listening: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const bytes = tenderbakeBlock(400, 0);
    const signed = await new RemoteSigner(ED.public_key_hash, url).sign(bytes);
    expect(verifySignature(bytes, ED.public_key, signed.prefixSig)).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM received');
    expect(stderr).toContain('stopped');
    expect(stdout).toContain('"outcome":"signed"');
    await expect(fetch(`${url}/keys/${ED.public_key_hash}`)).rejects.toThrow();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
