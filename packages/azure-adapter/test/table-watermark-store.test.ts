import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { checkWatermark, isTezsignerError } from '@tezsigner/core';
import type { SignedMark, WatermarkKey, WatermarkMark } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { outcomeOf } from '../../../test-support/errors.js';
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
/** A mark with a signature; by default one naming its mark, so a test can tell whose landed. */
const signed = (level: number, round: number, payload: number, signature = `edsig${level}r${round}p${payload}`): SignedMark => ({
  ...mark(level, round, payload),
  signature,
});
const store = (tableName: string) => new TableWatermarkStore({ connectionString: azurite.connectionString, tableName });
const rawTable = (tableName: string) => TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });

/** What a signer decides for `m` from what `s` reads (core's rule): 'sign', 'repeat <sig>' or the refusal's code. */
async function decide(s: TableWatermarkStore, m: WatermarkMark, k: WatermarkKey = key): Promise<string> {
  const decision = (async () => checkWatermark(await s.read(k), m))();
  return await outcomeOf(decision, (d) => (d.outcome === 'repeat' ? `repeat ${d.signature}` : d.outcome));
}

/** A real TableClient whose calls are logged, with a hook that may act just before a write. */
function spiedClient(tableName: string, beforeWrite?: (method: string, call: number) => Promise<void>) {
  const real = rawTable(tableName);
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
  it('commits marks with their signatures, only upward, and lists what it holds', async () => {
    const a = store(freshTable());
    expect(await a.read(key)).toBeUndefined();
    await expect(a.commit(key, signed(10, 0, 1, 'edsigA'))).resolves.toEqual({ committed: true });
    expect(await a.list()).toEqual([{ key, watermark: signed(10, 0, 1, 'edsigA') }]);
    await expect(a.commit(key, signed(10, 1, 2))).resolves.toEqual({ committed: true });
    await expect(a.commit(key, signed(11, 0, 3))).resolves.toEqual({ committed: true });
    expect(await a.list()).toEqual([{ key, watermark: signed(11, 0, 3) }]);
    await expect(a.commit(key, signed(10, 5, 4))).resolves.toEqual({ committed: false, stored: signed(11, 0, 3) });
    expect(await store(a.tableName).read(key)).toEqual(signed(11, 0, 3));
  });

  it('refuses to commit a mark without its signature, and writes nothing', async () => {
    const a = store(freshTable());
    expect(await outcomeOf(a.commit(key, { ...mark(1, 0, 1), signature: '' }))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit(key, mark(1, 0, 1) as SignedMark))).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('keeps one row per (chain, key, kind)', async () => {
    const a = store(freshTable());
    const other = [
      { ...key, kind: 'attestation' as const },
      { ...key, chainId: 'NetXnHfVqm9iesp' },
      { ...key, pkh: 'tz2BFTyPeYRzxd5aiBchbXN3WCZhx7BqbMBq' },
    ];
    await a.commit(key, signed(100, 0, 1));
    for (const k of other) await expect(a.commit(k, signed(5, 0, 2))).resolves.toEqual({ committed: true });
    const listed = await a.list();
    expect(listed).toHaveLength(4);
    expect(listed.find((e) => e.key.kind === 'block' && e.key.chainId === key.chainId && e.key.pkh === key.pkh)?.watermark.level).toBe(100);
  });

  it('answers the signature instance A committed when instance B sees the identical request, and refuses B anything else there or below', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await a.commit(key, signed(20, 1, 7, 'edsigFromA'));
    expect(await decide(b, mark(20, 1, 7))).toBe('repeat edsigFromA');
    expect(await decide(b, mark(20, 1, 8))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(20, 0, 7))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(19, 5, 9))).toBe('WATERMARK_REFUSED');
    // Had B signed anyway, its commit there or below would not land.
    const stored = signed(20, 1, 7, 'edsigFromA');
    for (const late of [signed(20, 1, 7, 'edsigFromB'), signed(20, 1, 8), signed(20, 0, 7), signed(19, 5, 9)]) {
      await expect(b.commit(key, late)).resolves.toEqual({ committed: false, stored });
    }
    expect(await rawTable(table).getEntity(key.pkh, `${key.chainId}.block`)).toMatchObject({ Level: 20, Round: 1, Hash: hashOf(7), Signature: 'edsigFromA' });
  });

  it('keeps the first signature of identical bytes: a later commit of them, from either instance, is not committed and answers the first', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await expect(a.commit(key, signed(30, 0, 1, 'edsigFromA'))).resolves.toEqual({ committed: true });
    // B has seen nothing yet (empty cache); A commits again from its own, warm cache.
    await expect(b.commit(key, signed(30, 0, 1, 'edsigFromB'))).resolves.toEqual({ committed: false, stored: signed(30, 0, 1, 'edsigFromA') });
    await expect(a.commit(key, signed(30, 0, 1, 'edsigAgainFromA'))).resolves.toEqual({ committed: false, stored: signed(30, 0, 1, 'edsigFromA') });
    expect(await decide(store(table), mark(30, 0, 1))).toBe('repeat edsigFromA');
  });

  it('never signs again bytes whose mark holds no signature (imported, or left by an older version)', async () => {
    const table = freshTable();
    const a = store(table);
    await a.importEntries([{ key, watermark: mark(35, 0, 1) }]);
    const b = store(table);
    expect(await decide(b, mark(35, 0, 1))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(35, 0, 2))).toBe('WATERMARK_REFUSED');
    await expect(b.commit(key, signed(35, 0, 1))).resolves.toEqual({ committed: false, stored: mark(35, 0, 1) });
    expect(await a.list()).toEqual([{ key, watermark: mark(35, 0, 1) }]);
  });

  it('does not commit from a stale cache: a mark below what another instance stored since answers the row as it is now', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    await a.commit(key, signed(40, 0, 1));
    await b.commit(key, signed(41, 0, 2, 'edsigB41'));
    // A's cache still says level 40 round 0: the mark is above that, below the row.
    await expect(a.commit(key, signed(40, 1, 3))).resolves.toEqual({ committed: false, stored: signed(41, 0, 2, 'edsigB41') });
    // And one at its own cached mark: not answered from memory either.
    await expect(b.commit(key, signed(42, 0, 4, 'edsigB42'))).resolves.toEqual({ committed: true });
    await expect(a.commit(key, signed(41, 0, 2, 'edsigLateA'))).resolves.toEqual({ committed: false, stored: signed(42, 0, 4, 'edsigB42') });
    expect(await b.list()).toEqual([{ key, watermark: signed(42, 0, 4, 'edsigB42') }]);
  });

  it('lets exactly one of two instances commit each mark when they race with different payloads; the other gets the winner', async () => {
    const table = freshTable();
    const a = store(table);
    const b = store(table);
    for (let level = 1; level <= 25; level++) {
      const fromA = signed(level, 0, 2 * level, `edsigA${level}`);
      const fromB = signed(level, 0, 2 * level + 1, `edsigB${level}`);
      const [resultA, resultB] = await Promise.all([a.commit(key, fromA), b.commit(key, fromB)]);
      expect([resultA.committed, resultB.committed].sort()).toEqual([false, true]);
      const [winner, loser] = resultA.committed ? [fromA, resultB] : [fromB, resultA];
      expect(loser).toEqual({ committed: false, stored: winner });
      expect((await a.list())[0]?.watermark).toEqual(winner);
    }
  });

  it('commits once when four instances race with the same bytes and different signatures; every other gets that one', async () => {
    const table = freshTable();
    const instances = [store(table), store(table), store(table), store(table)];
    for (let level = 1; level <= 10; level++) {
      const offers = instances.flatMap((s, i) => [0, 1].map((j) => ({ s, m: signed(level, 0, 99, `edsig${level}from${i}.${j}`) })));
      const results = await Promise.all(offers.map(({ s, m }) => s.commit(key, m)));
      const won = results.flatMap((r, i) => (r.committed ? [offers[i]!.m] : []));
      expect(won).toHaveLength(1);
      expect(results.filter((r) => !r.committed)).toEqual(Array(7).fill({ committed: false, stored: won[0] }));
      expect(await decide(store(table), mark(level, 0, 99))).toBe(`repeat ${won[0]!.signature}`);
    }
  });

  it('on losing insert-if-absent (409), re-reads and re-decides: commits over a lower mark', async () => {
    const table = freshTable();
    const competitor = store(table);
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.commit(key, signed(5, 0, 1));
    });
    const a = new TableWatermarkStore({ client });
    await expect(a.commit(key, signed(6, 0, 2))).resolves.toEqual({ committed: true });
    expect(log).toEqual(['getEntity 404', 'createEntity 409', 'getEntity ok', 'updateEntity ok']);
    expect(await a.list()).toEqual([{ key, watermark: signed(6, 0, 2) }]);
  });

  it('on losing update-if-ETag-matches (412), re-reads and re-decides: does not commit what is now too low', async () => {
    const table = freshTable();
    const competitor = store(table);
    await competitor.commit(key, signed(5, 0, 1));
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.commit(key, signed(7, 0, 3));
    });
    const a = new TableWatermarkStore({ client });
    await expect(a.commit(key, signed(6, 0, 2))).resolves.toEqual({ committed: false, stored: signed(7, 0, 3) });
    expect(log).toEqual(['getEntity ok', 'updateEntity 412', 'getEntity ok']);
    expect(await a.list()).toEqual([{ key, watermark: signed(7, 0, 3) }]);
  });

  it('on a conflict with the very same bytes, answers the signature that landed instead of writing its own', async () => {
    const table = freshTable();
    const competitor = store(table);
    const { client, log } = spiedClient(table, async (_method, call) => {
      if (call === 1) await competitor.commit(key, signed(8, 0, 4, 'edsigCompetitor'));
    });
    const a = new TableWatermarkStore({ client });
    await expect(a.commit(key, signed(8, 0, 4, 'edsigA'))).resolves.toEqual({ committed: false, stored: signed(8, 0, 4, 'edsigCompetitor') });
    expect(log).toEqual(['getEntity 404', 'createEntity 409', 'getEntity ok']);
  });

  it('writes straight over the version it last saw, and re-reads only when another instance wrote since', async () => {
    const table = freshTable();
    const other = store(table);
    const { client, log } = spiedClient(table);
    const a = new TableWatermarkStore({ client });
    await a.commit(key, signed(1, 0, 1));
    await a.commit(key, signed(2, 0, 2));
    expect(log).toEqual(['getEntity 404', 'createEntity ok', 'updateEntity ok']);
    log.length = 0;
    await other.commit(key, signed(3, 0, 3));
    await expect(a.commit(key, signed(3, 0, 4))).resolves.toEqual({ committed: false, stored: signed(3, 0, 3) });
    expect(log).toEqual(['updateEntity 412', 'getEntity ok']);
    log.length = 0;
    // The re-read above is now the version it knows: no read needed before the next write.
    await expect(a.commit(key, signed(4, 0, 5))).resolves.toEqual({ committed: true });
    expect(log).toEqual(['updateEntity ok']);
  });

  it('reads from the version it last saw, only ever behind the table: what it refuses holds, what it signs is re-decided at commit', async () => {
    const table = freshTable();
    const other = store(table);
    const { client, log } = spiedClient(table);
    const a = new TableWatermarkStore({ client });
    await a.commit(key, signed(10, 0, 1, 'edsigA'));
    // B moves on; A's memory (level 10) is stale but lower than the truth.
    await other.commit(key, signed(11, 0, 2, 'edsigB'));
    log.length = 0;
    expect(await decide(a, mark(9, 0, 3))).toBe('WATERMARK_REFUSED');
    expect(await decide(a, mark(10, 0, 4))).toBe('WATERMARK_REFUSED');
    // Its own committed signature again (the only one of those bytes that can exist), not a second.
    expect(await decide(a, mark(10, 0, 1))).toBe('repeat edsigA');
    expect(log).toEqual([]);
    // A stale memory says "sign" for B's mark; the commit asks the table and answers B's signature.
    expect(await decide(a, mark(11, 0, 2))).toBe('sign');
    await expect(a.commit(key, signed(11, 0, 2, 'edsigA2'))).resolves.toEqual({ committed: false, stored: signed(11, 0, 2, 'edsigB') });
    expect(log).toEqual(['updateEntity 412', 'getEntity ok']);
    // That re-read is now its memory.
    expect(await decide(a, mark(11, 0, 2))).toBe('repeat edsigB');
    expect(log).toEqual(['updateEntity 412', 'getEntity ok']);
  });

  it('imports marks only upward and reports which it raised', async () => {
    const table = freshTable();
    const a = store(table);
    const attestation = { ...key, kind: 'attestation' as const };
    const preattestation = { ...key, kind: 'preattestation' as const };
    await a.commit(key, signed(50, 0, 1));
    await a.commit(attestation, signed(50, 0, 2));
    const raised = await a.importEntries([
      { key, watermark: signed(60, 1, 3, 'edsigImported') },
      { key: attestation, watermark: mark(49, 9, 4) },
      { key: preattestation, watermark: mark(1, 0, 5) },
    ]);
    expect(raised).toEqual([key, preattestation]);
    const byKind = Object.fromEntries((await a.list()).map((e) => [e.key.kind, e.watermark]));
    expect(byKind).toEqual({
      block: signed(60, 1, 3, 'edsigImported'),
      attestation: signed(50, 0, 2),
      preattestation: mark(1, 0, 5),
    });
    expect(await decide(store(table), mark(60, 1, 3))).toBe('repeat edsigImported');
    // The instance that imported commits above the imported mark, not from what it held before.
    await expect(a.commit(key, signed(60, 1, 9))).resolves.toEqual({ committed: false, stored: signed(60, 1, 3, 'edsigImported') });
  });

  it('imports nothing when one entry is invalid', async () => {
    const table = freshTable();
    const a = store(table);
    const imported = a.importEntries([
      { key, watermark: mark(1, 0, 1) },
      { key: { ...key, pkh: 'tz1/../' }, watermark: mark(1, 0, 1) },
    ]);
    expect(await outcomeOf(imported)).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('reports a row it cannot read as STORE_CORRUPT and leaves it as it is, even from a warm cache', async () => {
    const table = freshTable();
    const a = store(table);
    await a.commit(key, signed(70, 0, 1));
    const raw = rawTable(table);
    await raw.updateEntity({ partitionKey: key.pkh, rowKey: `${key.chainId}.block`, Level: 'seventy' }, 'Merge');
    const b = store(table);
    expect(await outcomeOf(b.read(key))).toBe('STORE_CORRUPT');
    expect(await outcomeOf(b.commit(key, signed(71, 0, 2)))).toBe('STORE_CORRUPT');
    // A still remembers level 70: its write is conditional on that version, fails, and the re-read says corrupt.
    expect(await outcomeOf(a.commit(key, signed(71, 0, 3)))).toBe('STORE_CORRUPT');
    const row = await raw.getEntity(key.pkh, `${key.chainId}.block`);
    expect(row['Level']).toBe('seventy');
    expect(row['Hash']).toBe(hashOf(1));
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
    for (const call of [() => a.read(key), () => a.commit(key, signed(1, 0, 1))]) {
      let error: unknown;
      await call().catch((err: unknown) => (error = err));
      expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toMatch(/does not exist/);
    }
  });
});
