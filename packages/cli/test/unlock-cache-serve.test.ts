// The vault's unlock cache through a real `serve`: the first start opens every key from its file
// and writes the cache, the next opens them all from it (its log says how many) and signs; a key
// file replaced by hand by another key is not served from the cache, its old address is gone.
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { encodeSecretKey, generateSecretKey } from '@tezsigner/core';
import { LocalKeyVault, type VaultKeyInfo } from '@tezsigner/local-adapter';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { registerSecret } from '../../../test-support/log-capture.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { tempHome } from './support/run-cli.js';
import { postSign, spawnServe, type ServeChild } from './support/serve-child.js';

const PASSPHRASE = 'unlock cache end-to-end passphrase';
const KEYS = 30;

let home: Awaited<ReturnType<typeof tempHome>>;
let other: Awaited<ReturnType<typeof tempHome>>;
let serving: ServeChild | undefined;
beforeEach(async () => {
  [home, other] = [await tempHome(), await tempHome()];
});
afterEach(async () => {
  serving?.kill();
  serving = undefined;
  await Promise.all([home.remove(), other.remove()]);
});

async function addKeys(vault: LocalKeyVault, count: number): Promise<VaultKeyInfo[]> {
  const keys: VaultKeyInfo[] = [];
  for (let i = 0; i < count; i++) {
    const secret = encodeSecretKey(generateSecretKey('ed25519'));
    registerSecret(secret);
    keys.push(await vault.importKey(secret, { name: `baker-${i}` }));
  }
  return keys;
}

/** serve on the home, ready (every key open) on /readyz. */
async function serve(): Promise<ServeChild> {
  serving = await spawnServe(['--port', '0', '--metrics-port', '0'], { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: PASSPHRASE });
  const metrics = serving.metricsUrl;
  await waitUntil('/readyz to answer 200', async () => (await fetch(`${metrics}/readyz`)).status === 200);
  return serving;
}

/**
 * `pattern` anywhere on `signer`'s stderr, now or once it comes: the cache may be written before
 * the "listening" line (one key to decrypt takes one PBKDF2), which waitFor has already read past.
 */
async function printed(signer: ServeChild, pattern: RegExp): Promise<void> {
  await waitUntil(`${String(pattern)} on serve's stderr`, () => pattern.test(signer.stderr()));
}

async function signs(url: string, key: VaultKeyInfo, level: number): Promise<boolean> {
  const bytes = tenderbakeBlock(level, 0);
  const answer = await postSign(url, key.pkh, bytes);
  return answer.signature !== undefined && verifySignature(bytes, key.publicKey, answer.signature);
}

test(`serve opens ${KEYS} keys from the unlock cache at its second start, and not a key whose file was replaced`, async () => {
  const vault = await LocalKeyVault.open({ home: home.path, passphrase: PASSPHRASE });
  const keys = await addKeys(vault, KEYS);

  let signer = await serve();
  await printed(signer, new RegExp(`unlock cache \\S+ written with the ${KEYS} encrypted keys open`));
  expect(signer.stderr()).not.toMatch(/opened from the unlock cache/);
  await signer.stop();
  expect(((await readFile(vault.unlockCache, 'utf8')).match(/edsk/g) ?? []).length).toBe(0);

  signer = await serve();
  expect(signer.stderr()).toMatch(new RegExp(`${KEYS} of ${KEYS} encrypted keys opened from the unlock cache`));
  expect(signer.stderr()).not.toMatch(/keys decrypted/);
  for (const [at, key] of [keys[0], keys[KEYS - 1]].entries()) expect(await signs(signer.url, key!, 100 + at)).toBe(true);
  await signer.stop();
  expect(signer.stderr()).not.toMatch(/unlock cache \S+ written/);

  // baker-3's file now holds another key (of another home under the same passphrase), by hand
  const [replacement] = await addKeys(await LocalKeyVault.open({ home: other.path, passphrase: PASSPHRASE }), 1);
  const replaced = keys[3]!;
  await unlink(replaced.file);
  await writeFile(replaced.file, (await readFile(replacement!.file, 'utf8')).replace('"baker-0"', '"baker-3"'), { mode: 0o600 });

  signer = await serve();
  expect(signer.stderr()).toMatch(new RegExp(`${KEYS - 1} of ${KEYS} encrypted keys opened from the unlock cache`));
  expect(await signs(signer.url, { ...replacement!, file: replaced.file }, 200)).toBe(true);
  expect((await postSign(signer.url, replaced.pkh, tenderbakeBlock(201, 0))).status).toBe(404);
  await printed(signer, new RegExp(`unlock cache \\S+ written with the ${KEYS} encrypted keys open`));
  await signer.stop();

  // the cache rewritten holds the replacement, and the replaced key no more
  signer = await serve();
  expect(signer.stderr()).toMatch(new RegExp(`${KEYS} of ${KEYS} encrypted keys opened from the unlock cache ${join(home.path, 'unlock-cache')} `));
  await signer.stop();
}, 60_000);
