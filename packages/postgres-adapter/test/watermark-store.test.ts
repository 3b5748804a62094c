// PostgresWatermarkStore on a throwaway PostgreSQL. The rules every store keeps (commit above the
// mark, repeat, conflict, lower, one row per chain, key and kind, instances racing, restart,
// import) are core's contract, run here by checkWatermarkStore over instances with pools of their
// own on one database; the other tests are this store's own: its versioned schema, what it
// refuses to write, what an imported mark holds, rows it cannot read, probing. Faults, deadlines,
// and the round trips of the memory each instance keeps are in faults.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWatermark, isTezsignerError } from '@tezsigner/core';
import { checkWatermarkStore } from '@tezsigner/core/testing';
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
const signed = (level: number, round: number, payload: number, signature = `edsig${level}p${payload}`): SignedMark => ({ ...mark(level, round, payload), signature });
const opened: PostgresWatermarkStore[] = [];
// a deadline no busy machine reaches: these tests are about the rules, the faults file about deadlines
// (each a pool of its own: two are two signers sharing the database)
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
  it("keeps core's WatermarkStore contract, two instances racing over one database included", async () => {
    await expect(checkWatermarkStore(() => store('contract'))).resolves.toBeUndefined();
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

  it('refuses to commit a mark without its signature, or a key or level its columns cannot hold, and to import a batch with one such entry: nothing is written', async () => {
    const a = store(freshSchema());
    expect(await outcomeOf(a.commit(key, { ...mark(1, 0, 1), signature: '' }))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit(key, mark(1, 0, 1) as SignedMark))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit({ ...key, pkh: "tz1'; DROP TABLE x; --" }, signed(1, 0, 1)))).toBe('BAD_REQUEST');
    expect(await outcomeOf(a.commit(key, signed(2 ** 31, 0, 1)))).toBe('BAD_REQUEST');
    // every entry is checked before the first is written
    expect(await outcomeOf(a.importEntries([{ key, watermark: mark(1, 0, 1) }, { key: { ...key, kind: 'attestation' }, watermark: mark(2 ** 31, 0, 1) }]))).toBe('BAD_REQUEST');
    expect(await a.list()).toEqual([]);
  });

  it('keeps what an imported mark holds: its signature is answered, and at a mark imported without one (NULL) nothing is signed again', async () => {
    const schema = freshSchema();
    const a = store(schema);
    const attestation = { ...key, kind: 'attestation' as const };
    expect(await a.importEntries([{ key, watermark: signed(35, 0, 1, 'edsigImported') }, { key: attestation, watermark: mark(35, 0, 2) }])).toEqual([key, attestation]);
    expect((await cluster.query(`SELECT kind, signature FROM "${schema}".watermarks ORDER BY kind`, [], 'marks')).rows).toEqual([
      { kind: 'attestation', signature: null },
      { kind: 'block', signature: 'edsigImported' },
    ]);
    const b = store(schema);
    expect(await decide(b, mark(35, 0, 1))).toBe('repeat edsigImported');
    expect(await decide(b, mark(35, 0, 2), attestation)).toBe('WATERMARK_REFUSED');
    expect(await decide(b, mark(35, 0, 3), attestation)).toBe('WATERMARK_REFUSED');
    await expect(b.commit(attestation, signed(35, 0, 2))).resolves.toEqual({ committed: false, stored: mark(35, 0, 2) });
    expect(await a.list()).toEqual([
      { key: attestation, watermark: mark(35, 0, 2) },
      { key, watermark: signed(35, 0, 1, 'edsigImported') },
    ]);
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
