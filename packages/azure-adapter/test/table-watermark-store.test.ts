import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { isTezsignerError } from '@tezsigner/core';
import type { CheckResult, WatermarkKey, WatermarkMark } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

let tables = 0;
const freshTable = () => `marks${process.pid}x${++tables}`;
const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'block' };
const hashOf = (n: number) => n.toString(16).padStart(64, '0');
const mark = (level: number, round: number, payload: number): WatermarkMark => ({ level, round, hash: hashOf(payload) });
const store = (tableName: string) => new TableWatermarkStore({ connectionString: azurite.connectionString, tableName });

async function outcome(p: Promise<CheckResult>): Promise<string> {
  try {
    return (await p).outcome;
  } catch (err) {
    return isTezsignerError(err) ? err.code : `raw ${String(err)}`;
  }
}

/** A real TableClient whose calls are logged, with a hook that may act just before a write. */
function spiedClient(tableName: string, beforeWrite?: (method: string, call: number) => Promise<void>) {
  const real = TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
  const log: string[] = [];
  let writes = 0;
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || !['getEntity', 'createEntity', 'updateEntity'].includes(String(prop))) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        if (prop !== 'getEntity') await beforeWrite?.(String(prop), ++writes);
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          log.push(`${String(prop)} ok`);
          return result;
        } catch (err) {
          log.push(`${String(prop)} ${(err as { statusCode?: number }).statusCode ?? 'error'}`);
          throw err;
        }
      };
    },
  });
  return { client, log };
}

describe('TableWatermarkStore on Azurite', () => {
  it('advances, records the signature, and lists what it holds', async () => {
    const a = store(freshTable());
    await expect(a.checkAndAdvance(key, mark(10, 0, 1))).resolves.toEqual({ outcome: 'advanced' });
    expect(await a.list()).toEqual([{ key, watermark: mark(10, 0, 1) }]);
    await a.record(key, mark(10, 0, 1), 'edsigA');
    expect(await a.list()).toEqual([{ key, watermark: { ...mark(10, 0, 1), signature: 'edsigA' } }]);
    await expect(a.checkAndAdvance(key, mark(10, 1, 2))).resolves.toEqual({ outcome: 'advanced' });
    await expect(a.checkAndAdvance(key, mark(11, 0, 3))).resolves.toEqual({ outcome: 'advanced' });
    expect(await a.list()).toEqual([{ key, watermark: mark(11, 0, 3) }]);
  });

  it('keeps one row per (chain, key, kind)', async () => {
    const a = store(freshTable());
    const other = [
      { ...key, kind: 'attestation' as const },
      { ...key, chainId: 'NetXnHfVqm9iesp' },
      { ...key, pkh: 'tz2BFTyPeYRzxd5aiBchbXN3WCZhx7BqbMBq' },
    ];
    await a.checkAndAdvance(key, mark(100, 0, 1));
    for (const k of other) await expect(a.checkAndAdvance(k, mark(5, 0, 2))).resolves.toEqual({ outcome: 'advanced' });
    const listed = await a.list();
    expect(listed).toHaveLength(4);
    expect(listed.find((e) => e.key.kind === 'block' && e.key.chainId === key.chainId && e.key.pkh === key.pkh)?.watermark.level).toBe(100);
  });

  it('answers the signature instance A recorded when instance B sees the identical request', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await a.checkAndAdvance(key, mark(20, 1, 7));
    await a.record(key, mark(20, 1, 7), 'edsigFromA');
    await expect(b.checkAndAdvance(key, mark(20, 1, 7))).resolves.toEqual({ outcome: 'repeat', signature: 'edsigFromA' });
    expect(await outcome(b.checkAndAdvance(key, mark(20, 1, 8)))).toBe('WATERMARK_REFUSED');
    expect(await outcome(b.checkAndAdvance(key, mark(20, 0, 7)))).toBe('WATERMARK_REFUSED');
    expect(await outcome(b.checkAndAdvance(key, mark(19, 5, 9)))).toBe('WATERMARK_REFUSED');
  });

  it('lets B re-sign the same bytes when A advanced but never recorded, and keeps the first signature recorded', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await a.checkAndAdvance(key, mark(30, 0, 1));
    await expect(b.checkAndAdvance(key, mark(30, 0, 1))).resolves.toEqual({ outcome: 'resign' });
    await b.record(key, mark(30, 0, 1), 'edsigFromB');
    await a.record(key, mark(30, 0, 1), 'edsigFromA');
    await expect(a.checkAndAdvance(key, mark(30, 0, 1))).resolves.toEqual({ outcome: 'repeat', signature: 'edsigFromB' });
  });

  it('does not record onto a mark another instance has moved past', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await a.checkAndAdvance(key, mark(40, 0, 1));
    await b.checkAndAdvance(key, mark(41, 0, 2));
    await a.record(key, mark(40, 0, 1), 'edsigLate');
    expect(await b.list()).toEqual([{ key, watermark: mark(41, 0, 2) }]);
  });

  it('lets exactly one of two racing instances advance each mark, whatever each one last wrote', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    for (let level = 1; level <= 25; level++) {
      const [fromA, fromB] = await Promise.all([
        outcome(a.checkAndAdvance(key, mark(level, 0, 2 * level))),
        outcome(b.checkAndAdvance(key, mark(level, 0, 2 * level + 1))),
      ]);
      expect([fromA, fromB].sort()).toEqual(['WATERMARK_REFUSED', 'advanced']);
      const winner = fromA === 'advanced' ? 2 * level : 2 * level + 1;
      expect((await a.list())[0]?.watermark).toEqual(mark(level, 0, winner));
    }
  });

  it('advances once and re-signs elsewhere when four instances race with the same bytes', async () => {
    const table = freshTable();
    const instances = [store(table), store(table), store(table), store(table)];
    for (let level = 1; level <= 10; level++) {
      const results = await Promise.all(instances.flatMap((s) => [outcome(s.checkAndAdvance(key, mark(level, 0, 99))), outcome(s.checkAndAdvance(key, mark(level, 0, 99)))]));
      expect(results.filter((r) => r === 'advanced')).toHaveLength(1);
      expect(results.filter((r) => r === 'resign')).toHaveLength(7);
    }
  });

  it('on losing insert-if-absent (409), re-reads and re-decides: advances over a lower mark', async () => {
    const table = freshTable();
    const competitor = store(table);
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.checkAndAdvance(key, mark(5, 0, 1));
    });
    const a = new TableWatermarkStore({ client });
    await expect(a.checkAndAdvance(key, mark(6, 0, 2))).resolves.toEqual({ outcome: 'advanced' });
    expect(log).toEqual(['getEntity 404', 'createEntity 409', 'getEntity ok', 'updateEntity ok']);
    expect(await a.list()).toEqual([{ key, watermark: mark(6, 0, 2) }]);
  });

  it('on losing update-if-ETag-matches (412), re-reads and re-decides: refuses what is now too low', async () => {
    const table = freshTable();
    const competitor = store(table);
    await competitor.checkAndAdvance(key, mark(5, 0, 1));
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.checkAndAdvance(key, mark(7, 0, 3));
    });
    const a = new TableWatermarkStore({ client });
    expect(await outcome(a.checkAndAdvance(key, mark(6, 0, 2)))).toBe('WATERMARK_REFUSED');
    expect(log).toEqual(['getEntity ok', 'updateEntity 412', 'getEntity ok']);
    expect(await a.list()).toEqual([{ key, watermark: mark(7, 0, 3) }]);
  });

  it('on a conflict with the very same bytes, re-decides to re-sign instead of advancing twice', async () => {
    const table = freshTable();
    const competitor = store(table);
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.checkAndAdvance(key, mark(8, 0, 4));
    });
    const a = new TableWatermarkStore({ client });
    await expect(a.checkAndAdvance(key, mark(8, 0, 4))).resolves.toEqual({ outcome: 'resign' });
    expect(log).toEqual(['getEntity 404', 'createEntity 409', 'getEntity ok']);
  });

  it('writes straight over the version it last saw, and re-reads only when another instance wrote since', async () => {
    const table = freshTable();
    const other = store(table);
    const { client, log } = spiedClient(table);
    const a = new TableWatermarkStore({ client });
    await a.checkAndAdvance(key, mark(1, 0, 1));
    await a.checkAndAdvance(key, mark(2, 0, 2));
    expect(log).toEqual(['getEntity 404', 'createEntity ok', 'updateEntity ok']);
    log.length = 0;
    await other.checkAndAdvance(key, mark(3, 0, 3));
    expect(await outcome(a.checkAndAdvance(key, mark(3, 0, 4)))).toBe('WATERMARK_REFUSED');
    expect(log).toEqual(['updateEntity 412', 'getEntity ok']);
    log.length = 0;
    // The re-read above is now the version it knows: no read needed before the next write.
    await expect(a.checkAndAdvance(key, mark(4, 0, 5))).resolves.toEqual({ outcome: 'advanced' });
    expect(log).toEqual(['updateEntity ok']);
  });

  it('refuses from memory what is at or below a version it saw, but answers repeats from the table', async () => {
    const table = freshTable();
    const other = store(table);
    const { client, log } = spiedClient(table);
    const a = new TableWatermarkStore({ client });
    await a.checkAndAdvance(key, mark(10, 0, 1));
    // B moves on and records; A's memory (level 10) is stale but lower than the truth.
    await other.checkAndAdvance(key, mark(11, 0, 2));
    await other.record(key, mark(11, 0, 2), 'edsigB');
    log.length = 0;
    expect(await outcome(a.checkAndAdvance(key, mark(9, 0, 3)))).toBe('WATERMARK_REFUSED');
    expect(await outcome(a.checkAndAdvance(key, mark(10, 0, 4)))).toBe('WATERMARK_REFUSED');
    expect(log).toEqual([]);
    // The same bytes as A's own last write: not answered from memory, the table says what is true now.
    expect(await outcome(a.checkAndAdvance(key, mark(10, 0, 1)))).toBe('WATERMARK_REFUSED');
    expect(log).toEqual(['getEntity ok']);
    await expect(a.checkAndAdvance(key, mark(11, 0, 2))).resolves.toEqual({ outcome: 'repeat', signature: 'edsigB' });
    expect(log).toEqual(['getEntity ok', 'getEntity ok']);
  });

  it('imports marks only upward and reports which it raised', async () => {
    const table = freshTable();
    const a = store(table);
    const attestation = { ...key, kind: 'attestation' as const };
    const preattestation = { ...key, kind: 'preattestation' as const };
    await a.checkAndAdvance(key, mark(50, 0, 1));
    await a.checkAndAdvance(attestation, mark(50, 0, 2));
    const raised = await a.importEntries([
      { key, watermark: { ...mark(60, 1, 3), signature: 'edsigImported' } },
      { key: attestation, watermark: mark(49, 9, 4) },
      { key: preattestation, watermark: mark(1, 0, 5) },
    ]);
    expect(raised).toEqual([key, preattestation]);
    const byKind = Object.fromEntries((await a.list()).map((e) => [e.key.kind, e.watermark]));
    expect(byKind).toEqual({
      block: { ...mark(60, 1, 3), signature: 'edsigImported' },
      attestation: mark(50, 0, 2),
      preattestation: mark(1, 0, 5),
    });
    await expect(store(table).checkAndAdvance(key, mark(60, 1, 3))).resolves.toEqual({ outcome: 'repeat', signature: 'edsigImported' });
  });

  it('imports nothing when one entry is invalid', async () => {
    const table = freshTable();
    const a = store(table);
    let code: string | undefined;
    try {
      await a.importEntries([
        { key, watermark: mark(1, 0, 1) },
        { key: { ...key, pkh: 'tz1/../' }, watermark: mark(1, 0, 1) },
      ]);
    } catch (err) {
      code = isTezsignerError(err) ? err.code : 'raw';
    }
    expect(code).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('reports a row it cannot read as STORE_CORRUPT and leaves it as it is', async () => {
    const table = freshTable();
    const a = store(table);
    await a.checkAndAdvance(key, mark(70, 0, 1));
    const raw = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
    await raw.updateEntity({ partitionKey: key.pkh, rowKey: `${key.chainId}.block`, Level: 'seventy' }, 'Merge');
    const b = store(table);
    expect(await outcome(b.checkAndAdvance(key, mark(71, 0, 2)))).toBe('STORE_CORRUPT');
    const row = await raw.getEntity(key.pkh, `${key.chainId}.block`);
    expect(row['Level']).toBe('seventy');
  });

  it('probes the table: creates it when allowed, says what is wrong when not', async () => {
    const table = freshTable();
    await expect(store(table).probe()).resolves.toBeUndefined();
    await expect(new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: table, createTable: false }).probe()).resolves.toBeUndefined();
    let error: unknown;
    await new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: freshTable(), createTable: false })
      .probe()
      .catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/does not exist/);
    const wrongKey = azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.from('not the key').toString('base64')}`);
    error = undefined;
    await new TableWatermarkStore({ connectionString: wrongKey, tableName: table }).probe().catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/answered 403/);
  });

  it('fails closed with STORE_UNAVAILABLE when the table is missing and it may not create it', async () => {
    const a = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: freshTable(), createTable: false });
    let error: unknown;
    await a.checkAndAdvance(key, mark(1, 0, 1)).catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/does not exist/);
  });
});
