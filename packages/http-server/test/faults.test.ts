import { MemoryKeyProvider, MemoryWatermarkStore, TezsignerError, decodeSecretKey } from '@tezsigner/core';
import type { KeyProvider, WatermarkStore } from '@tezsigner/core';
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

/** A working store but for one of the two steps of a signature: reading the mark, or committing it. */
function storeFailingWith(fault: () => Error, at: 'read' | 'commit'): WatermarkStore {
  const store = new MemoryWatermarkStore();
  return {
    name: 'flaky-store',
    read: (key) => (at === 'read' ? Promise.reject(fault()) : store.read(key)),
    commit: (key, signed) => (at === 'commit' ? Promise.reject(fault()) : store.commit(key, signed)),
    list: () => store.list(),
    importEntries: (entries) => store.importEntries(entries),
  };
}

describe('faults behind the server', () => {
  test('a backend that fails to sign is a 503 BACKEND_UNAVAILABLE, no signature, and the mark does not move', async () => {
    const watermarks = new MemoryWatermarkStore();
    const signer = await startTestSigner({ keyProvider: failingKeys(), watermarks });
    try {
      const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'BACKEND_UNAVAILABLE' } } });
      expect(JSON.stringify(answer.body)).not.toContain('signature"');
      expect(await watermarks.list()).toEqual([]);
    } finally {
      await signer.close();
    }
  });

  test.each([
    ['unreachable', 'read', () => new Error('socket hang up'), 'STORE_UNAVAILABLE'],
    ['corrupt', 'read', () => new TezsignerError('STORE_CORRUPT', 'watermark file is not JSON'), 'STORE_CORRUPT'],
    ['unreachable', 'commit', () => new Error('socket hang up'), 'STORE_UNAVAILABLE'],
    ['corrupt', 'commit', () => new TezsignerError('STORE_CORRUPT', 'watermark file is not JSON'), 'STORE_CORRUPT'],
  ] as const)('a watermark store that is %s at %s is a 503 %s, no signature', async (_what, at, fault, code) => {
    const signer = await startTestSigner({ keyProvider: realKeys(), watermarks: storeFailingWith(fault, at) });
    try {
      const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
      expect(answer).toMatchObject({ status: 503, body: { error: { code } } });
      expect(JSON.stringify(answer.body)).not.toContain('signature"');
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
