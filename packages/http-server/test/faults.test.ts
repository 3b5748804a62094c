import { MemoryKeyProvider, MemoryWatermarkStore, TezsignerError, decodeSecretKey } from '@tezsigner/core';
import type { CheckResult, KeyProvider, WatermarkStore } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, call, signOver, startTestSigner } from './support/test-signer.js';

const INTERNALS = 'ECONNRESET at /home/baker/.tezsigner/keys/baker.json';

function realKeys(): MemoryKeyProvider {
  return new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]);
}

/** The vector key, whose signing fails as a backend in trouble does. */
function failingKeys(): KeyProvider {
  const keys = realKeys();
  return {
    name: 'flaky-hsm',
    capabilities: keys.capabilities,
    listKeys: () => keys.listKeys(),
    getKey: (pkh) => keys.getKey(pkh),
    sign: () => Promise.reject(new Error(INTERNALS)),
  };
}

function storeFailingWith(fault: () => Error): WatermarkStore {
  const store = new MemoryWatermarkStore();
  return {
    name: 'flaky-store',
    checkAndAdvance: (): Promise<CheckResult> => Promise.reject(fault()),
    record: (key, mark, signature) => store.record(key, mark, signature),
    list: () => store.list(),
  };
}

describe('faults behind the server', () => {
  test('a backend that fails to sign is a 503 BACKEND_UNAVAILABLE, no signature', async () => {
    const signer = await startTestSigner({ keyProvider: failingKeys() });
    try {
      const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'BACKEND_UNAVAILABLE' } } });
      expect(JSON.stringify(answer.body)).not.toContain('signature"');
    } finally {
      await signer.close();
    }
  });

  test.each([
    ['unreachable', () => new Error('socket hang up'), 'STORE_UNAVAILABLE'],
    ['corrupt', () => new TezsignerError('STORE_CORRUPT', 'watermark file is not JSON'), 'STORE_CORRUPT'],
  ])('a watermark store that is %s is a 503 %s, no signature', async (_what, fault, code) => {
    const signer = await startTestSigner({ keyProvider: realKeys(), watermarks: storeFailingWith(fault) });
    try {
      expect(await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0))).toMatchObject({
        status: 503,
        body: { error: { code } },
      });
    } finally {
      await signer.close();
    }
  });

  test('an unexpected error is a bare 500 that leaks nothing, logged for the operator, and the server keeps serving', async () => {
    let calls = 0;
    const keys = realKeys();
    const signer = await startTestSigner({
      signer: {
        listKeys: () => keys.listKeys(),
        getPublicKey: async () => {
          calls++;
          if (calls === 1) throw new Error(INTERNALS);
          return ED.public_key;
        },
        sign: () => Promise.reject(new TypeError(INTERNALS)),
        proveProofOfPossession: () => Promise.reject(new Error(INTERNALS)),
      },
    });
    try {
      const first = await call(`${signer.url}/keys/${ED.public_key_hash}`);
      expect(first).toEqual({
        status: 500,
        body: { error: { code: 'INTERNAL', message: 'internal error' } },
        contentType: expect.stringMatching(/^application\/json/),
      });
      const sign = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
      expect(sign.status).toBe(500);
      expect(JSON.stringify(sign.body)).not.toContain('ECONNRESET');
      expect(await call(`${signer.url}/keys/${ED.public_key_hash}`)).toMatchObject({ status: 200, body: { public_key: ED.public_key } });
      // the operator's log has what the caller did not get
      expect(signer.rawLogs()).toContain('ECONNRESET');
    } finally {
      await signer.close();
    }
  });
});
