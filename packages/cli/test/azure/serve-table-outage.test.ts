import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { startAzurite } from '../../../azure-adapter/test/support/azurite.js';
import type { Azurite } from '../../../azure-adapter/test/support/azurite.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { runTezsigner, tempHome } from '../support/run-cli.js';

const KEY = keyVectors().find((k) => k.curve === 'ed25519');
if (KEY === undefined) throw new Error('no ed25519 key vector');

let location: string;
let azurite: Azurite;
let home: Awaited<ReturnType<typeof tempHome>>;
beforeAll(async () => {
  location = await mkdtemp(join(tmpdir(), 'azurite-serve-'));
  azurite = await startAzurite({ location });
  home = await tempHome();
});
afterAll(async () => {
  await azurite?.stop();
  await home?.remove();
  if (location !== undefined) await rm(location, { recursive: true, force: true });
});

async function sign(url: string, bytes: string): Promise<{ status: number; body: { signature?: string; error?: { code: string } } }> {
  const response = await fetch(`${url}/keys/${KEY!.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bytes) });
  return { status: response.status, body: (await response.json()) as { signature?: string; error?: { code: string } } };
}

test('`serve --watermark-store azure-table` answers 503 while the table is down and signs again once it is back', async () => {
  const env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'outage test passphrase', AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
  expect((await runTezsigner(['keys', 'import', KEY.secret_key], { env })).code).toBe(0);

  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const running = runTezsigner(['serve', '--port', '0', '--metrics-port', '0', '--log-level', 'error', '--watermark-store', 'azure-table', '--azure-table-name', 'servemarks'], {
    env,
    stop: stopped,
    onStderr: (text) => {
      const found = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      if (found !== undefined) listening(found);
    },
  });
  const started = await Promise.race([url.then((value) => ({ url: value })), running.then((run) => ({ run }))]);
  if ('run' in started) throw new Error(`serve ended before listening: ${started.run.stderr}`);
  try {
    const block = tenderbakeBlock(3_000_000, 0, 0x01);
    const first = await sign(started.url, block);
    expect(first.status).toBe(200);
    expect(verifySignature(block, KEY.public_key, first.body.signature ?? '')).toBe(true);

    await azurite.stop();
    const down = await sign(started.url, tenderbakeBlock(3_000_001, 0, 0x02));
    expect(down).toEqual({ status: 503, body: { error: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }) } });

    azurite = await startAzurite({ location, port: azurite.port });
    expect(await sign(started.url, block)).toEqual({ status: 200, body: { signature: first.body.signature } });
    expect((await sign(started.url, tenderbakeBlock(3_000_000, 0, 0x03))).status).toBe(409);
    const next = tenderbakeBlock(3_000_001, 0, 0x02);
    const signed = await sign(started.url, next);
    expect(signed.status).toBe(200);
    expect(verifySignature(next, KEY.public_key, signed.body.signature ?? '')).toBe(true);
  } finally {
    stop('SIGTERM');
  }
  const run = await running;
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('high watermarks: azure-table store');
});
