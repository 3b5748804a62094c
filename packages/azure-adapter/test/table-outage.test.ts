import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTezsignerError } from '@tezsigner/core';
import type { WatermarkKey, WatermarkMark } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { devConnectionString, startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';

const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'attestation' };
const mark = (level: number, payload: number): WatermarkMark => ({ level, round: 0, hash: payload.toString(16).padStart(64, '0') });

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (err) {
    return { code: isTezsignerError(err) ? err.code : `raw ${String(err)}`, message: (err as Error).message, ms: Date.now() - started };
  }
  return { code: 'none', message: 'it succeeded', ms: Date.now() - started };
}

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
    const result = await failure(store.checkAndAdvance(key, mark(1, 1)));
    expect(result.code).toBe('STORE_UNAVAILABLE');
    expect(result.message).toMatch(/did not answer within 800 ms/);
    // The deadline bounds the whole call (SDK retries included): 800 ms plus scheduling slack.
    expect(result.ms).toBeLessThan(2000);
  });

  it('drains a queue of requests for one watermark on one deadline, not one deadline each', async () => {
    const hole = await blackHole();
    cleanups.push(hole.close);
    const store = new TableWatermarkStore({ connectionString: devConnectionString(hole.port), tableName: 'marks', timeoutMs: 500 });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => failure(store.checkAndAdvance(key, mark(1 + i, i)))));
    expect(results.map((r) => r.code)).toEqual(Array(8).fill('STORE_UNAVAILABLE'));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses while Azurite is down, then serves the same, intact state once it is back on its port', async () => {
    const location = await mkdtemp(join(tmpdir(), 'azurite-persist-'));
    cleanups.push(() => rm(location, { recursive: true, force: true }));
    let azurite: Azurite = await startAzurite({ location });
    cleanups.push(() => azurite.stop());
    const a = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'outage', timeoutMs: 2000 });
    const b = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'outage', timeoutMs: 2000 });

    await expect(a.checkAndAdvance(key, mark(100, 1))).resolves.toEqual({ outcome: 'advanced' });
    await a.record(key, mark(100, 1), 'edsigBeforeOutage');

    await azurite.stop();
    // All three at once, each handled from the start: awaiting them one by one left the others' rejections unhandled for a while.
    const attempts = [a.checkAndAdvance(key, mark(101, 2)), b.checkAndAdvance(key, mark(101, 3)), a.list()].map(failure);
    for (const result of await Promise.all(attempts)) {
      expect(result.code).toBe('STORE_UNAVAILABLE');
      expect(result.ms).toBeLessThan(3000);
    }
    const recordFailure = await failure(a.record(key, mark(100, 1), 'edsigOther'));
    expect(recordFailure.code).toBe('STORE_UNAVAILABLE');

    azurite = await startAzurite({ location, port: azurite.port });
    expect(await b.list()).toEqual([{ key, watermark: { ...mark(100, 1), signature: 'edsigBeforeOutage' } }]);
    await expect(b.checkAndAdvance(key, mark(100, 1))).resolves.toEqual({ outcome: 'repeat', signature: 'edsigBeforeOutage' });
    expect((await failure(a.checkAndAdvance(key, mark(100, 9)))).code).toBe('WATERMARK_REFUSED');
    await expect(a.checkAndAdvance(key, mark(101, 2))).resolves.toEqual({ outcome: 'advanced' });
    expect((await failure(b.checkAndAdvance(key, mark(101, 3)))).code).toBe('WATERMARK_REFUSED');
  });
});
