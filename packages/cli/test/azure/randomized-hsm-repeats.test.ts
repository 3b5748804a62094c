import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAzurite } from '../../../azure-adapter/test/support/azurite.js';
import type { Azurite } from '../../../azure-adapter/test/support/azurite.js';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { taquitoIdentity } from '../../../azure-adapter/test/support/taquito-check.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { tempHome } from '../support/run-cli.js';
import { AZURE_MAIN, postSign, startServe, type ServeChild } from '../support/serve-child.js';

/**
 * Key Vault signs ECDSA with random nonces: the same block signed twice gives two different
 * valid signatures, which is double-baking evidence. However many identical requests arrive at
 * once, on one signer or on two sharing a table, every answer must be one and the same signature.
 */
const REQUESTS = 100;

let standIn: KeyVaultStandIn;
let azurite: Azurite;
let key: { pkh: string; publicKey: string };
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  standIn = await KeyVaultStandIn.start();
  cleanups.push(() => standIn.stop());
  azurite = await startAzurite();
  cleanups.push(() => azurite.stop());
  const generated = standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
  key = await taquitoIdentity('secp256k1', generated.d as Uint8Array);
  // a vault answering in 50–100 ms, as Key Vault does from a nearby region
  standIn.latencyMs = 75;
}, 60_000);

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function signer(extra: readonly string[] = [], env: Record<string, string> = {}): Promise<ServeChild> {
  const home = await tempHome();
  cleanups.push(home.remove);
  const child = await startServe(
    ['--vault', 'azure', '--azure-vault-url', standIn.url, '--home', home.path, '--log-level', 'error', ...extra],
    { TEZSIGNER_TEST_AZURE_TOKEN: standIn.token, TEZSIGNER_TEST_AZURE_CA: standIn.certificate, ...env },
    AZURE_MAIN,
  );
  cleanups.push(() => child.stop());
  return child;
}

async function identicalRequests(urls: readonly string[], level: number) {
  const block = tenderbakeBlock(level, 0);
  const signsBefore = standIn.authorized('sign').length;
  const answers = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => postSign(urls[i % urls.length] as string, key.pkh, block)));
  return { block, answers, vaultSignatures: standIn.authorized('sign').length - signsBefore };
}

describe(`${REQUESTS} identical block requests at once, on a vault with random nonces`, () => {
  test('one signer: every answer is the same signature, and the vault signed once', async () => {
    const { url } = await signer();
    const { block, answers, vaultSignatures } = await identicalRequests([url], 3000);
    expect(answers.map((a) => a.status)).toEqual(Array(REQUESTS).fill(200));
    expect(new Set(answers.map((a) => a.signature)).size).toBe(1);
    expect(verifySignature(block, key.publicKey, answers[0]?.signature as string)).toBe(true);
    expect(vaultSignatures).toBe(1);
  }, 60_000);

  test('two signers sharing one table: every answer from either is the same signature', async () => {
    const table = ['--watermark-store', 'azure-table', '--azure-table-name', 'randomizedrepeats'];
    const env = { AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
    const pair = await Promise.all([signer(table, env), signer(table, env)]);
    const { block, answers, vaultSignatures } = await identicalRequests(
      pair.map((s) => s.url),
      4000,
    );
    expect(answers.map((a) => a.status)).toEqual(Array(REQUESTS).fill(200));
    expect(new Set(answers.map((a) => a.signature)).size).toBe(1);
    expect(verifySignature(block, key.publicKey, answers[0]?.signature as string)).toBe(true);
    // each instance may have asked the vault once; only one of those signatures ever left
    expect(vaultSignatures).toBeGreaterThanOrEqual(1);
    expect(vaultSignatures).toBeLessThanOrEqual(2);
  }, 60_000);
});
