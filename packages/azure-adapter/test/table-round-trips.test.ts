import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { checkWatermark } from '@tezsigner/core';
import type { WatermarkKey } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';

/**
 * What a signature costs the table in HTTP requests, counted where the SDK hands each
 * attempt to its transport (retries included): the "one round trip per signature in
 * the steady state, a re-read only on conflict".
 */
let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'attestation' };
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

type Policy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/** A store whose every HTTP request is logged as `METHOD status If-Match`. */
function countedStore(tableName: string) {
  const requests: string[] = [];
  const policy: Policy = {
    position: 'perRetry',
    policy: {
      name: 'count-table-requests',
      sendRequest: async (request, next) => {
        const response = await next(request);
        requests.push(`${request.method} ${response.status} ${request.headers.get('If-Match') ?? '-'}`);
        return response;
      },
    },
  };
  const store = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName, clientOptions: { additionalPolicies: [policy] } });
  return { store, requests };
}

/** What SignerService does around the backend's signature: read, decide, commit. */
async function signingPath(store: TableWatermarkStore, level: number, signature: string) {
  const mark = { level, round: 0, hash: hashOf(level) };
  expect(checkWatermark(await store.read(key), mark)).toEqual({ outcome: 'sign' });
  return await store.commit(key, { ...mark, signature });
}

describe('TableWatermarkStore round trips', () => {
  it('costs one conditional write per signature once it has seen the row, and no request to read', async () => {
    const { store, requests } = countedStore('roundtrips');
    // The first signature of a key creates the table, finds no row and inserts it: not the steady state.
    await expect(signingPath(store, 1, 'edsig1')).resolves.toEqual({ committed: true });
    requests.length = 0;

    const COMMITS = 50;
    for (let level = 2; level <= COMMITS + 1; level++) {
      await expect(signingPath(store, level, `edsig${level}`)).resolves.toEqual({ committed: true });
    }
    expect(requests).toHaveLength(COMMITS);
    // Each one a replace conditional on the exact version this instance wrote last.
    for (const request of requests) expect(request).toMatch(/^PUT 204 W\/"[^"]+"$/);
    expect(new Set(requests).size).toBe(COMMITS);
    expect(await store.read(key)).toEqual({ level: COMMITS + 1, round: 0, hash: hashOf(COMMITS + 1), signature: `edsig${COMMITS + 1}` });
    expect(requests).toHaveLength(COMMITS);
  });

  it('re-reads once when another instance wrote since, then is back to one write per signature', async () => {
    const { store, requests } = countedStore('roundtripsshared');
    const other = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'roundtripsshared' });
    await signingPath(store, 1, 'edsig1');
    await other.commit(key, { level: 2, round: 0, hash: hashOf(2), signature: 'edsigOther2' });
    requests.length = 0;

    await expect(signingPath(store, 3, 'edsig3')).resolves.toEqual({ committed: true });
    expect(requests.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['PUT 412', 'GET 200', 'PUT 204']);
    requests.length = 0;
    await expect(signingPath(store, 4, 'edsig4')).resolves.toEqual({ committed: true });
    expect(requests).toHaveLength(1);
  });
});
