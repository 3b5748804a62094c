import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWatermark } from '@tezsigner/core';
import type { SignedMark, WatermarkKey } from '@tezsigner/core';
import { PostgresWatermarkStore } from '../src/index.js';
import { PostgresDatabase } from '../src/database.js';
import { timedFailure as failure } from '../../../test-support/errors.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { startPostgres, type PostgresCluster } from './support/postgres-cluster.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/**
 * The store's faults on a real PostgreSQL: the database stopped, crashed and restarted, its
 * connections reset in the middle of a statement, a peer that never answers, a row locked by
 * another session, commits that would not be durable. Each fails closed within the deadline
 * (STORE_UNAVAILABLE, nothing advanced) and heals by itself once the database answers.
 */
const DEADLINE_MS = 2000;
const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', kind: 'attestation' };
const hashOf = (payload: number) => payload.toString(16).padStart(64, '0');
const signed = (level: number, payload: number, signature = `edsig${level}p${payload}`): SignedMark => ({ level, round: 0, hash: hashOf(payload), signature });

let cluster: PostgresCluster;
let proxy: TcpProxy;
beforeAll(async () => {
  cluster = await startPostgres();
  await cluster.createDatabase('faults');
  proxy = await startTcpProxy(cluster.port);
});
const opened: PostgresWatermarkStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await proxy?.close();
  await cluster?.remove();
});

let schemas = 0;
function store(options: { schema?: string; viaProxy?: boolean; database?: string } = {}) {
  const url = options.viaProxy === true ? cluster.url(options.database ?? 'faults').replace(`:${cluster.port}/`, `:${proxy.port}/`) : cluster.url(options.database ?? 'faults');
  const s = new PostgresWatermarkStore({ url, schema: options.schema ?? `faults${++schemas}`, timeoutMs: DEADLINE_MS });
  opened.push(s);
  return s;
}
const storedLevel = async (schema: string) => (await cluster.query<{ level: number }>(`SELECT level FROM "${schema}".watermarks`, [], 'faults')).rows[0]?.level;

/** The deadline, and room for a machine busy with other work. */
const WITHIN = DEADLINE_MS + 3000;

describe('PostgresWatermarkStore when the database fails', () => {
  it('refuses a database whose commits are not durable, naming the setting (to fix, at start; a store fault, for a call), and writes nothing', async () => {
    await cluster.createDatabase('lax');
    await cluster.query('ALTER DATABASE lax SET synchronous_commit = off');
    const lax = store({ database: 'lax', schema: 'lax' });
    const probed = await failure(lax.probe());
    expect(probed.code).toBe('CONFIG_INVALID');
    expect(probed.message).toMatch(/synchronous_commit = off: .* set synchronous_commit = on/);
    // a request meeting it while serving: 503, not a 500 of the signer's own configuration
    const committed = await failure(lax.commit(key, signed(1, 1)));
    expect(committed.code).toBe('STORE_UNAVAILABLE');
    expect(committed.message).toMatch(/synchronous_commit = off: .* set synchronous_commit = on/);
    // nothing was made in that database (the check comes first)
    expect((await cluster.query("SELECT 1 FROM pg_namespace WHERE nspname = 'lax'", [], 'lax')).rowCount).toBe(0);
    await cluster.query('ALTER DATABASE lax SET synchronous_commit = on');
    // a new store, new connections: accepted now
    await expect(store({ database: 'lax', schema: 'lax' }).commit(key, signed(1, 1))).resolves.toEqual({ committed: true });
  });

  it('synchronous_commit turned off by a reload while serving: connections checked before stay durable, a new one is refused as a store fault naming the setting, the probe names the setting to fix', async () => {
    const schema = `reload${++schemas}`;
    const serving = store({ schema });
    await expect(serving.commit(key, signed(1, 1))).resolves.toEqual({ committed: true });
    // a pool as the store's, to ask its connection what it acknowledges
    const pool = new PostgresDatabase({ url: cluster.url('faults'), schema, timeoutMs: DEADLINE_MS });
    const setting = () => pool.run('the setting', async (client) => (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit);
    expect(await setting()).toBe('on');
    const fresh = store({ schema });
    await cluster.query('ALTER SYSTEM SET synchronous_commit = off');
    await cluster.query('SELECT pg_reload_conf()');
    try {
      await waitUntil('the reload to reach new sessions', async () => (await cluster.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit === 'off');
      // the connection checked before the reload still acknowledges only what is on disk, and commits
      expect(await setting()).toBe('on');
      await expect(serving.commit(key, signed(2, 2))).resolves.toEqual({ committed: true });
      // readiness names the setting to fix
      const probed = await failure(serving.probe());
      expect(probed.code).toBe('CONFIG_INVALID');
      expect(probed.message).toMatch(/has synchronous_commit = off: .* set synchronous_commit = on/);
      // a new connection is refused: a store fault (503) naming the setting, nothing written
      const refused = await failure(fresh.commit(key, signed(3, 3)));
      expect(refused.code).toBe('STORE_UNAVAILABLE');
      expect(refused.message).toMatch(/has synchronous_commit = off: .* set synchronous_commit = on/);
      expect(await storedLevel(schema)).toBe(2);
    } finally {
      await cluster.query('ALTER SYSTEM RESET synchronous_commit');
      await cluster.query('SELECT pg_reload_conf()');
      await pool.close();
    }
    await waitUntil('the reload to reach new sessions', async () => (await cluster.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit === 'on');
    await expect(serving.probe()).resolves.toBeUndefined();
    await expect(fresh.commit(key, signed(3, 3))).resolves.toEqual({ committed: true });
  });

  it('fails closed within its deadline when its connections are reset mid-statement, advances nothing, and commits again once they are not', async () => {
    const schema = `reset${++schemas}`;
    const s = store({ schema, viaProxy: true });
    await expect(s.commit(key, signed(10, 1))).resolves.toEqual({ committed: true });
    proxy.setMode('reset');
    try {
      for (const attempt of [s.commit(key, signed(11, 2)), s.read({ ...key, kind: 'block' }), s.list()].map(failure)) {
        const result = await attempt;
        expect(result.code).toBe('STORE_UNAVAILABLE');
        expect(result.ms).toBeLessThan(WITHIN);
      }
      expect((await failure(s.probe())).code).toBe('STORE_UNAVAILABLE');
    } finally {
      proxy.setMode('forward');
    }
    expect(await storedLevel(schema)).toBe(10);
    await expect(s.probe()).resolves.toBeUndefined();
    await expect(s.commit(key, signed(11, 2))).resolves.toEqual({ committed: true });
  });

  it('a commit whose answer is cut after it landed: tried again on a fresh connection, it answers the stored mark, its own signature, and nothing else lands', async () => {
    const schema = `cut${++schemas}`;
    const s = store({ schema, viaProxy: true });
    await s.commit(key, signed(15, 1));
    proxy.cutNextAnswer();
    await expect(s.commit(key, signed(16, 2, 'edsigCut'))).resolves.toEqual({ committed: false, stored: signed(16, 2, 'edsigCut') });
    expect(await storedLevel(schema)).toBe(16);
    // other bytes there are refused, from this instance and any other
    await expect(store({ schema }).commit(key, signed(16, 3))).resolves.toEqual({ committed: false, stored: signed(16, 2, 'edsigCut') });
  });

  it('fails closed within its deadline when the database accepts and never answers, a queue of calls on one deadline each, not one after another', async () => {
    const schema = `silent${++schemas}`;
    const s = store({ schema, viaProxy: true });
    await s.commit(key, signed(20, 1));
    proxy.setMode('silent');
    try {
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => failure(s.commit({ ...key, chainId: `NetXdQprcVkpa${'ABCDEFGHJKLMNPQR'[i]}` }, signed(21, i)))));
      expect(results.map((r) => r.code)).toEqual(Array(16).fill('STORE_UNAVAILABLE'));
      expect(results[0]?.message).toMatch(new RegExp(`did not answer within ${DEADLINE_MS} ms`));
      expect(performance.now() - started).toBeLessThan(WITHIN);
    } finally {
      proxy.setMode('forward');
    }
    await expect(s.commit(key, signed(21, 2))).resolves.toEqual({ committed: true });
  });

  it('fails closed within its deadline while another session holds the row, is not ready until it lets go, and the refused mark never lands', async () => {
    const schema = `locked${++schemas}`;
    const s = store({ schema });
    await s.commit(key, signed(30, 1));
    const holder = await cluster.connect('faults');
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM "${schema}".watermarks FOR UPDATE`);
      const stuck = await failure(s.commit(key, signed(31, 2)));
      expect(stuck.code).toBe('STORE_UNAVAILABLE');
      expect(stuck.message).toMatch(/a lock was not granted in time \(another session holds it\) \[55P03\]/);
      expect(stuck.ms).toBeLessThan(WITHIN);
      expect((await failure(s.probe())).code).toBe('STORE_UNAVAILABLE');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    await expect(s.probe()).resolves.toBeUndefined();
    // the database cancelled the statement itself: nothing landed after the caller gave up
    expect(await storedLevel(schema)).toBe(30);
    await expect(s.commit(key, signed(31, 3))).resolves.toEqual({ committed: true });
  });

  it('refuses while the database is down, then serves the same, intact state once it restarts, with no restart of its own', async () => {
    const schema = `down${++schemas}`;
    const a = store({ schema });
    const b = store({ schema });
    await expect(a.commit(key, signed(100, 1, 'edsigBeforeOutage'))).resolves.toEqual({ committed: true });
    await b.list();
    await cluster.stop();
    const attempts = [a.commit(key, signed(101, 2)), b.commit(key, signed(101, 3)), b.read({ ...key, kind: 'block' }), a.list(), a.probe()].map(failure);
    for (const result of await Promise.all(attempts)) {
      expect(result.code).toBe('STORE_UNAVAILABLE');
      expect(result.ms).toBeLessThan(WITHIN);
    }
    await cluster.start();
    // the pooled connections died with the server: the next call opens fresh ones by itself
    expect(await b.list()).toEqual([{ key, watermark: signed(100, 1, 'edsigBeforeOutage') }]);
    expect(checkWatermark(await b.read(key), signed(100, 1))).toEqual({ outcome: 'repeat', signature: 'edsigBeforeOutage' });
    await expect(a.commit(key, signed(100, 9))).resolves.toEqual({ committed: false, stored: signed(100, 1, 'edsigBeforeOutage') });
    await expect(a.commit(key, signed(101, 2))).resolves.toEqual({ committed: true });
    await expect(b.commit(key, signed(101, 3))).resolves.toEqual({ committed: false, stored: signed(101, 2) });
  }, 60_000);

  it('keeps every acknowledged commit through a crash of the database (immediate shutdown, recovery from the WAL)', async () => {
    const schema = `crash${++schemas}`;
    const s = store({ schema });
    for (let level = 1; level <= 20; level++) await s.commit(key, signed(level, level));
    await cluster.crash();
    expect((await failure(s.commit(key, signed(21, 21)))).code).toBe('STORE_UNAVAILABLE');
    await cluster.start();
    await waitUntil('the database to answer after recovery', async () => (await failure(s.probe())).code === 'none', { timeoutMs: 30_000 });
    expect(await storedLevel(schema)).toBe(20);
    await expect(store({ schema }).commit(key, signed(20, 99))).resolves.toEqual({ committed: false, stored: signed(20, 20) });
  }, 60_000);
});

describe('PostgresWatermarkStore round trips', () => {
  /** What SignerService does around the backend's signature: read, decide, commit. */
  async function signingPath(s: PostgresWatermarkStore, level: number, signature: string) {
    const mark = { level, round: 0, hash: hashOf(level) };
    expect(checkWatermark(await s.read(key), mark)).toEqual({ outcome: 'sign' });
    return await s.commit(key, { ...mark, signature });
  }

  it('costs one statement per signature, the conditional write, and no read; a read only when another instance wrote since', async () => {
    const schema = `trips${++schemas}`;
    const s = store({ schema, viaProxy: true });
    await expect(signingPath(s, 1, 'edsig1')).resolves.toEqual({ committed: true });
    proxy.takeCounts();
    const COMMITS = 50;
    for (let level = 2; level <= COMMITS + 1; level++) await expect(signingPath(s, level, `edsig${level}`)).resolves.toEqual({ committed: true });
    expect(proxy.takeCounts('INSERT INTO', 'SELECT')).toEqual([COMMITS, 0]);

    await store({ schema }).commit(key, signed(COMMITS + 2, 7, 'edsigOther'));
    // its memory is behind: it signs, the write does not land, one read answers what is there
    await expect(signingPath(s, COMMITS + 2, 'edsigMine')).resolves.toEqual({ committed: false, stored: signed(COMMITS + 2, 7, 'edsigOther') });
    expect(proxy.takeCounts('INSERT INTO', 'SELECT')).toEqual([1, 1]);
    // that read is its memory now: back to one write per signature
    await expect(signingPath(s, COMMITS + 3, 'edsigNext')).resolves.toEqual({ committed: true });
    expect(proxy.takeCounts('INSERT INTO', 'SELECT')).toEqual([1, 0]);
  });
});
