import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWatermark } from '@tezsigner/core';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { timedFailure as failure } from '../../../test-support/errors.js';
import { devConnectionString, startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';

const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'attestation' };
const hashOf = (payload: number) => payload.toString(16).padStart(64, '0');
const signed = (level: number, payload: number, signature = `edsig${level}p${payload}`): SignedMark => ({ level, round: 0, hash: hashOf(payload), signature });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A loopback port that accepts connections and never answers: a hung store, the case a deadline is for. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('TableWatermarkStore when the table is unreachable', () => {
  it('fails closed within its deadline when the store accepts but never answers', async () => {
    const hole = await blackHole();
    cleanups.push(hole.close);
    const store = new TableWatermarkStore({ connectionString: devConnectionString(hole.port), tableName: 'marks', timeoutMs: 800 });
    const result = await failure(store.commit(key, signed(1, 1)));
    expect(result.code).toBe('STORE_UNAVAILABLE');
    expect(result.message).toMatch(/did not answer within 800 ms/);
    // The deadline bounds the whole call (SDK retries included): 800 ms plus scheduling slack,
    // generous enough for a machine busy with other work; the SDK alone would retry for minutes.
    expect(result.ms).toBeLessThan(5000);
  });

  it('drains a queue of requests for one watermark on one deadline, not one deadline each', async () => {
    const hole = await blackHole();
    cleanups.push(hole.close);
    const store = new TableWatermarkStore({ connectionString: devConnectionString(hole.port), tableName: 'marks', timeoutMs: 500 });
    const started = Date.now();
    // one deadline each would take 16 × 500 ms = 8 s; one for the queue takes 500 ms, and the
    // bound between leaves a busy machine seconds of slack
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => failure(store.commit(key, signed(1 + i, i)))));
    expect(results.map((r) => r.code)).toEqual(Array(16).fill('STORE_UNAVAILABLE'));
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('refuses while Azurite is down, then serves the same, intact state once it is back on its port', async () => {
    const location = await mkdtemp(join(tmpdir(), 'azurite-persist-'));
    cleanups.push(() => rm(location, { recursive: true, force: true }));
    let azurite: Azurite = await startAzurite({ location });
    cleanups.push(() => azurite.stop());
    const a = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'outage', timeoutMs: 2000 });
    const b = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'outage', timeoutMs: 2000 });

    await expect(a.commit(key, signed(100, 1, 'edsigBeforeOutage'))).resolves.toEqual({ committed: true });

    await azurite.stop();
    // A from a warm cache (straight to its write), B from a cold one (its read), and the
    // same mark again with another signature: all at once, each handled from the start
    // (awaiting them one by one left the others' rejections unhandled for a while).
    const attempts = [
      a.commit(key, signed(101, 2)),
      b.commit(key, signed(101, 3)),
      b.read(key),
      a.commit(key, signed(100, 1, 'edsigOther')),
      a.list(),
    ].map(failure);
    for (const result of await Promise.all(attempts)) {
      expect(result.code).toBe('STORE_UNAVAILABLE');
      expect(result.ms).toBeLessThan(3000);
    }

    azurite = await startAzurite({ location, port: azurite.port });
    // Nothing tried during the outage landed, and nothing was lost.
    expect(await b.list()).toEqual([{ key, watermark: signed(100, 1, 'edsigBeforeOutage') }]);
    expect(checkWatermark(await b.read(key), signed(100, 1))).toEqual({ outcome: 'repeat', signature: 'edsigBeforeOutage' });
    await expect(a.commit(key, signed(100, 9))).resolves.toEqual({ committed: false, stored: signed(100, 1, 'edsigBeforeOutage') });
    await expect(a.commit(key, signed(101, 2))).resolves.toEqual({ committed: true });
    await expect(b.commit(key, signed(101, 3))).resolves.toEqual({ committed: false, stored: signed(101, 2) });
  });
});
