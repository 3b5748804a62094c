import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWatermark, isTezsignerError } from '@tezsigner/core';
import type { SignedMark, WatermarkKey, WatermarkMark } from '@tezsigner/core';
import { PostgresWatermarkStore, SCHEMA_VERSION } from '../src/index.js';
import { outcomeOf } from '../../../test-support/errors.js';
import { startPostgres, type PostgresCluster } from './support/postgres-cluster.js';

let cluster: PostgresCluster;
let url: string;
beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('marks');
});
afterAll(async () => {
  await cluster?.remove();
});

let schemas = 0;
const freshSchema = () => `marks${++schemas}`;
const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'block' };
const hashOf = (n: number) => n.toString(16).padStart(64, '0');
const mark = (level: number, round: number, payload: number): WatermarkMark => ({ level, round, hash: hashOf(payload) });
/** A mark with a signature; by default one naming its mark, so a test can tell whose landed. */
const signed = (level: number, round: number, payload: number, signature = `edsig${level}r${round}p${payload}`): SignedMark => ({
  ...mark(level, round, payload),
  signature,
});
const opened: PostgresWatermarkStore[] = [];
// a deadline no busy machine reaches: these tests are about the rules, the faults file about deadlines
const store = (schema: string) => {
  const s = new PostgresWatermarkStore({ url, schema, timeoutMs: 15_000 });
  opened.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});
const rowOf = async (schema: string) => (await cluster.query(`SELECT level, round, hash, signature FROM "${schema}".watermarks WHERE kind = 'block'`, [], 'marks')).rows[0];

/** What a signer decides for `m` from what `s` reads (core's rule): 'sign', 'repeat <sig>' or the refusal's code. */
async function decide(s: PostgresWatermarkStore, m: WatermarkMark, k: WatermarkKey = key): Promise<string> {
  const decision = (async () => checkWatermark(await s.read(k), m))();
  return await outcomeOf(decision, (d) => (d.outcome === 'repeat' ? `repeat ${d.signature}` : d.outcome));
}

describe('PostgresWatermarkStore on a real PostgreSQL', () => {
  it('commits marks with their signatures, only upward, and lists what it holds', async () => {
    const a = store(freshSchema());
    expect(await a.read(key)).toBeUndefined();
    await expect(a.commit(key, signed(10, 0, 1, 'edsigA'))).resolves.toEqual({ committed: true });
    expect(await a.list()).toEqual([{ key, watermark: signed(10, 0, 1, 'edsigA') }]);
    await expect(a.commit(key, signed(10, 1, 2))).resolves.toEqual({ committed: true });
    await expect(a.commit(key, signed(11, 0, 3))).resolves.toEqual({ committed: true });
    expect(await a.list()).toEqual([{ key, watermark: signed(11, 0, 3) }]);
    await expect(a.commit(key, signed(10, 5, 4))).resolves.toEqual({ committed: false, stored: signed(11, 0, 3) });
    expect(await store(`marks${schemas}`).read(key)).toEqual(signed(11, 0, 3));
  });

  it('creates its schema versioned, and refuses one a newer tezsigner migrated', async () => {
    const schema = freshSchema();
    await store(schema).list();
    expect((await cluster.query(`SELECT version FROM "${schema}".schema_version`, [], 'marks')).rows).toEqual([{ version: SCHEMA_VERSION }]);
    // a second instance finds it made and uses it as it is
    await expect(store(schema).commit(key, signed(1, 0, 1))).resolves.toEqual({ committed: true });
    await cluster.query(`UPDATE "${schema}".schema_version SET version = ${SCHEMA_VERSION + 1}`, [], 'marks');
    const newer = store(schema);
    let error: unknown;
    await newer.probe().catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this tezsigner knows \\(${SCHEMA_VERSION}\\)`));
    expect(await outcomeOf(newer.commit(key, signed(2, 0, 2)))).toBe('CONFIG_INVALID');
    expect(await rowOf(schema)).toMatchObject({ level: 1 });
  });

  it('instances starting together make the schema once', async () => {
    const schema = freshSchema();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store(schema).commit({ ...key, pkh: `tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZS${'abcdef'[i]}` }, signed(1, 0, i))));
    expect(results).toEqual(Array(6).fill({ committed: true }));
    expect(await store(schema).list()).toHaveLength(6);
  });

  it('refuses to commit a mark without its signature, or a key it could not store, and writes nothing', async () => {
    const a = store(freshSchema());
    expect(await outcomeOf(a.commit(key, { ...mark(1, 0, 1), signature: '' }))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit(key, mark(1, 0, 1) as SignedMark))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit({ ...key, pkh: "tz1'; DROP TABLE x; --" }, signed(1, 0, 1)))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit(key, signed(2 ** 31, 0, 1)))).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('keeps one row per (chain, key, kind)', async () => {
    const a = store(freshSchema());
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
    const schema = freshSchema();
    const a = store(schema);
    const b = store(schema);
    await a.commit(key, signed(20, 1, 7, 'edsigFromA'));
    expect(await decide(b, mark(20, 1, 7))).toBe('repeat edsigFromA');
    expect(await decide(b, mark(20, 1, 8))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(20, 0, 7))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(19, 5, 9))).toBe('WATERMARK_REFUSED');
    // had B signed anyway, its commit there or below would not land
    const stored = signed(20, 1, 7, 'edsigFromA');
    for (const late of [signed(20, 1, 7, 'edsigFromB'), signed(20, 1, 7, 'edsigFromA'), signed(20, 1, 8), signed(20, 0, 7), signed(19, 5, 9)]) {
      await expect(b.commit(key, late)).resolves.toEqual({ committed: false, stored });
    }
    expect(await rowOf(schema)).toEqual({ level: 20, round: 1, hash: hashOf(7), signature: 'edsigFromA' });
  });

  it('keeps the first signature of identical bytes: a later commit of them, from either instance, is not committed and answers the first', async () => {
    const schema = freshSchema();
    const a = store(schema);
    const b = store(schema);
    await expect(a.commit(key, signed(30, 0, 1, 'edsigFromA'))).resolves.toEqual({ committed: true });
    await expect(b.commit(key, signed(30, 0, 1, 'edsigFromB'))).resolves.toEqual({ committed: false, stored: signed(30, 0, 1, 'edsigFromA') });
    await expect(a.commit(key, signed(30, 0, 1, 'edsigAgainFromA'))).resolves.toEqual({ committed: false, stored: signed(30, 0, 1, 'edsigFromA') });
    expect(await decide(store(schema), mark(30, 0, 1))).toBe('repeat edsigFromA');
  });

  it('never signs again bytes whose mark holds no signature (imported)', async () => {
    const schema = freshSchema();
    const a = store(schema);
    await a.importEntries([{ key, watermark: mark(35, 0, 1) }]);
    const b = store(schema);
    expect(await decide(b, mark(35, 0, 1))).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(35, 0, 2))).toBe('WATERMARK_REFUSED');
    await expect(b.commit(key, signed(35, 0, 1))).resolves.toEqual({ committed: false, stored: mark(35, 0, 1) });
    expect(await a.list()).toEqual([{ key, watermark: mark(35, 0, 1) }]);
  });

  it('does not commit from a stale memory: a mark below what another instance stored since answers the row as it is now', async () => {
    const schema = freshSchema();
    const a = store(schema);
    const b = store(schema);
    await a.commit(key, signed(40, 0, 1));
    await b.commit(key, signed(41, 0, 2, 'edsigB41'));
    // A remembers level 40 round 0: the mark is above that, below the row
    await expect(a.commit(key, signed(40, 1, 3))).resolves.toEqual({ committed: false, stored: signed(41, 0, 2, 'edsigB41') });
    await expect(b.commit(key, signed(42, 0, 4, 'edsigB42'))).resolves.toEqual({ committed: true });
    await expect(a.commit(key, signed(41, 0, 2, 'edsigLateA'))).resolves.toEqual({ committed: false, stored: signed(42, 0, 4, 'edsigB42') });
    expect(await b.list()).toEqual([{ key, watermark: signed(42, 0, 4, 'edsigB42') }]);
  });

  it('reads from what it last saw, only ever behind the database: what it refuses holds, what it signs is decided again at commit', async () => {
    const schema = freshSchema();
    const a = store(schema);
    const b = store(schema);
    await a.commit(key, signed(10, 0, 1, 'edsigA'));
    await b.commit(key, signed(11, 0, 2, 'edsigB'));
    expect(await decide(a, mark(9, 0, 3))).toBe('WATERMARK_REFUSED');
    expect(await decide(a, mark(10, 0, 4))).toBe('WATERMARK_REFUSED');
    expect(await decide(a, mark(10, 0, 1))).toBe('repeat edsigA');
    // a stale memory says "sign" for B's mark; the commit asks the database and answers B's signature
    expect(await decide(a, mark(11, 0, 2))).toBe('sign');
    await expect(a.commit(key, signed(11, 0, 2, 'edsigA2'))).resolves.toEqual({ committed: false, stored: signed(11, 0, 2, 'edsigB') });
    // that read is now its memory
    expect(await decide(a, mark(11, 0, 2))).toBe('repeat edsigB');
  });

  it('lets exactly one of two instances commit each mark when they race with different payloads; the other gets the winner', async () => {
    const schema = freshSchema();
    const a = store(schema);
    const b = store(schema);
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
    const schema = freshSchema();
    const instances = [store(schema), store(schema), store(schema), store(schema)];
    for (let level = 1; level <= 10; level++) {
      const offers = instances.flatMap((s, i) => [0, 1].map((j) => ({ s, m: signed(level, 0, 99, `edsig${level}from${i}.${j}`) })));
      const results = await Promise.all(offers.map(({ s, m }) => s.commit(key, m)));
      const won = results.flatMap((r, i) => (r.committed ? [offers[i]!.m] : []));
      expect(won).toHaveLength(1);
      expect(results.filter((r) => !r.committed)).toEqual(Array(7).fill({ committed: false, stored: won[0] }));
      expect(await decide(store(schema), mark(level, 0, 99))).toBe(`repeat ${won[0]!.signature}`);
    }
  });

  it('imports marks only upward and reports which it raised', async () => {
    const schema = freshSchema();
    const a = store(schema);
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
    expect(byKind).toEqual({ block: signed(60, 1, 3, 'edsigImported'), attestation: signed(50, 0, 2), preattestation: mark(1, 0, 5) });
    expect(await decide(store(schema), mark(60, 1, 3))).toBe('repeat edsigImported');
    // the instance that imported decides from the imported mark, not from what it held before
    expect(await decide(a, mark(55, 0, 9))).toBe('WATERMARK_REFUSED');
    await expect(a.commit(key, signed(60, 1, 9))).resolves.toEqual({ committed: false, stored: signed(60, 1, 3, 'edsigImported') });
  });

  it('imports nothing when one entry is invalid', async () => {
    const a = store(freshSchema());
    const imported = a.importEntries([
      { key, watermark: mark(1, 0, 1) },
      { key: { ...key, pkh: 'tz1/../' }, watermark: mark(1, 0, 1) },
    ]);
    expect(await outcomeOf(imported)).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('reports a row it cannot read as STORE_CORRUPT and leaves it as it is, even from a warm memory', async () => {
    const schema = freshSchema();
    const a = store(schema);
    await a.commit(key, signed(70, 0, 1));
    // someone drops a constraint and edits the row by hand
    await cluster.query(`ALTER TABLE "${schema}".watermarks DROP CONSTRAINT watermarks_hash_check`, [], 'marks');
    await cluster.query(`UPDATE "${schema}".watermarks SET hash = 'seventy'`, [], 'marks');
    const b = store(schema);
    expect(await outcomeOf(b.read(key))).toBe('STORE_CORRUPT');
    expect(await outcomeOf(b.commit(key, signed(71, 0, 2)))).toBe('STORE_CORRUPT');
    expect(await outcomeOf(a.commit(key, signed(71, 0, 3)))).toBe('STORE_CORRUPT');
    expect(await outcomeOf(a.list())).toBe('STORE_CORRUPT');
    expect(await rowOf(schema)).toMatchObject({ level: 70, hash: 'seventy' });
  });

  it('probes the database: makes the schema, says what is wrong when it cannot', async () => {
    const schema = freshSchema();
    await expect(store(schema).probe()).resolves.toBeUndefined();
    expect((await cluster.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema], 'marks')).rowCount).toBe(1);
    const wrongPassword = new PostgresWatermarkStore({ url: url.replace(cluster.password, 'not-the-password'), schema });
    let error: unknown;
    await wrongPassword.probe().catch((err: unknown) => (error = err));
    await wrongPassword.close();
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/the password was refused \[28P01\]/);
    const noDatabase = new PostgresWatermarkStore({ url: cluster.url('nosuchdb'), schema });
    error = undefined;
    await noDatabase.probe().catch((err: unknown) => (error = err));
    await noDatabase.close();
    expect((error as Error).message).toMatch(/127\.0\.0\.1:\d+\/nosuchdb .*the database does not exist \[3D000\]/);
    expect((error as Error).message).not.toContain(cluster.password);
  });
});
