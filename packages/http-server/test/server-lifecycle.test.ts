import { MemoryKeyProvider, MemoryWatermarkStore, SignerService, decodeSecretKey } from '@tezsigner/core';
import type { KeyProvider } from '@tezsigner/core';
import { Agent, request } from 'node:http';
import { expect, test } from 'vitest';
import { startSignerServer } from '../src/index.js';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, call, signOver } from './support/test-signer.js';

function service(keys: KeyProvider = new MemoryKeyProvider([decodeSecretKey(ED.secret_key)])): SignerService {
  return new SignerService({ keys, watermarks: new MemoryWatermarkStore() });
}

test('a port in use is a CONFIG_INVALID error naming the address', async () => {
  const first = await startSignerServer({ signer: service(), host: '127.0.0.1', port: 0 });
  try {
    await expect(startSignerServer({ signer: service(), host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `cannot listen on 127.0.0.1:${first.port}: the port is already in use`,
    });
  } finally {
    await first.close();
  }
});

test('close() lets a request in flight finish with its signature, then refuses connections', async () => {
  const keys = new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered: () => void = () => undefined;
  const signing = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const slow: KeyProvider = {
    name: 'slow',
    capabilities: keys.capabilities,
    listKeys: () => keys.listKeys(),
    getKey: (pkh) => keys.getKey(pkh),
    sign: async (pkh, input) => {
      entered();
      await gate;
      return keys.sign(pkh, input);
    },
  };
  const server = await startSignerServer({ signer: service(slow), host: '127.0.0.1', port: 0 });
  const inFlight = signOver(server.url, ED.public_key_hash, tenderbakeBlock(1, 0));
  await signing;
  const closed = server.close();
  release();
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect((answer.body as { signature: string }).signature).toMatch(/^edsig/);
  await closed;
  await expect(call(`${server.url}/keys/${ED.public_key_hash}`)).rejects.toThrow();
});

test('close() closes idle keep-alive connections instead of waiting out the grace period', async () => {
  // a grace period far beyond the test timeout: close() resolves only if it closes the idle connection
  const server = await startSignerServer({ signer: service(), host: '127.0.0.1', port: 0, shutdownGraceMs: 3_600_000 });
  const agent = new Agent({ keepAlive: true });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/authorized_keys`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    await server.close();
  } finally {
    agent.destroy();
  }
});
