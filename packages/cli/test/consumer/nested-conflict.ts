// Run with a second copy of core nested under http-server (as npm lays out two versions): the
// server's copy must still answer another copy's refusal as 409 WATERMARK_REFUSED, not a 500.
import { createRequire } from 'node:module';
import { generateSecretKey, MemoryKeyProvider, MemoryWatermarkStore, SignerService } from '@tezsigner/core';
import { buildBlockRequest } from '@tezsigner/core/testing';
import { startSignerServer } from '@tezsigner/http-server';

const require = createRequire(import.meta.url);
const ours = require.resolve('@tezsigner/core');
const servers = createRequire(require.resolve('@tezsigner/http-server')).resolve('@tezsigner/core');

const keys = new MemoryKeyProvider([generateSecretKey('ed25519')]);
const [key] = await keys.listKeys();
if (key === undefined) throw new Error('no key');
const signer = new SignerService({ keys, watermarks: new MemoryWatermarkStore() });
const server = await startSignerServer({ signer, port: 0 });
const post = async (payload: number) => {
  const bytes = buildBlockRequest({ level: 7, payloadHash: new Uint8Array(32).fill(payload) });
  const response = await fetch(`${server.url}/keys/${key.pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Buffer.from(bytes).toString('hex')) });
  return { status: response.status, body: (await response.json()) as unknown };
};
const signed = await post(1);
const conflict = await post(2);
await server.close();
await signer.close();
console.log(JSON.stringify({ ours, servers, signed, conflict }));
