import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { verifySignature } from '@taquito/utils';
import { afterEach, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { MAIN, postSign, startServe } from './support/serve-child.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

const REPO = resolve(import.meta.dirname, '../../..');
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** `tezsigner sign` as its own process; its signature, or undefined when it refused. */
async function signCommand(env: Record<string, string>, hex: string): Promise<string | undefined> {
  try {
    const node = await nodeEntry(MAIN);
    const { stdout } = await run(process.execPath, [...node.args, 'sign', KEY.public_key_hash, hex], { cwd: REPO, env: { ...process.env, ...node.env, ...env } });
    return stdout.trim();
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr);
    if (!stderr.includes('WATERMARK_REFUSED') && !/refusing to sign/.test(stderr)) throw err;
    return undefined;
  }
}

test('`tezsigner serve` and `tezsigner sign` on one home sign one payload per level and round', async () => {
  const home = await tempHome();
  cleanups.push(home.remove);
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'serve and sign passphrase' };
  expect((await runTezsigner(['keys', 'import', KEY.secret_key, '--name', 'baker'], { env })).code).toBe(0);
  const server = await startServe(['--log-level', 'error'], env);
  cleanups.push(() => server.stop());

  for (let level = 100; level < 103; level++) {
    // the server gets payload 1 three times, two `sign` processes payloads 2 and 3, all at once
    const asked = [1, 1, 1, 2, 3].map((payload) => ({ payload, hex: tenderbakeBlock(level, 0, payload) }));
    const answers = await Promise.all(
      asked.map(async ({ payload, hex }, i) => {
        const signature = i < 3 ? (await postSign(server.url, KEY.public_key_hash, hex)).signature : await signCommand(env, hex);
        return { payload, hex, signature };
      }),
    );
    const signed = answers.filter((a) => a.signature !== undefined);
    expect(signed.length).toBeGreaterThan(0);
    expect(new Set(signed.map((a) => a.payload)).size, `payloads signed at level ${level}`).toBe(1);
    expect(new Set(signed.map((a) => a.signature)).size, `signatures at level ${level}`).toBe(1);
    for (const a of signed) expect(verifySignature(a.hex, KEY.public_key, a.signature as string)).toBe(true);
  }
}, 120_000);
