import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { startPostgres, type PostgresCluster } from '../../../postgres-adapter/test/support/postgres-cluster.js';
import { startTcpProxy, type TcpProxy } from '../../../postgres-adapter/test/support/tcp-proxy.js';
import { homeWithKeys } from '../support/run-cli.js';
import { postSign, refusedLines, spawnServe, type ServeChild } from '../support/serve-child.js';

/**
 * Faults of the PostgreSQL store under one real `tezsigner serve`, which reaches its database
 * through a TCP proxy on loopback: the database stopped, restarted, its connections reset in the
 * middle of a statement, a database that accepts and never answers, a row held by another
 * session. Each fails closed within the store's deadline (503 STORE_UNAVAILABLE, no signature,
 * one request log line), turns /readyz not ready while it lasts, and clears by itself once the
 * fault is gone; the mark of a refused request never moved.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
/** The store's deadline (2.5 s by default) and room for a busy machine. */
const WITHIN_MS = 2_500 + 2_000;

let cluster: PostgresCluster;
let proxy: TcpProxy;
let server: ServeChild;
let removeHome: () => Promise<void>;
let level = 100;

const sign = (at: number, payload = 0) => postSign(server.url, KEY.public_key_hash, tenderbakeBlock(at, 0, payload));
const readiness = async () => {
  const response = await fetch(`${server.metricsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { reasons?: string[] } };
};
const logLinesWith = (code: string) => refusedLines(server.stdout(), code);
const storedLevel = async () => (await cluster.query<{ level: number }>("SELECT level FROM tezsigner.watermarks WHERE kind = 'block'", [], 'faults')).rows[0]?.level;

/** One signature before, `fault`, a refusal within the deadline, not ready, `clear`, recovery by itself with the refused mark unmoved. */
async function failsClosedThenRecovers(fault: () => Promise<void> | void, clear: () => Promise<void> | void) {
  const before = await sign(++level);
  expect(before.status).toBe(200);
  await fault();
  const linesBefore = logLinesWith('STORE_UNAVAILABLE');
  const started = performance.now();
  const refused = await sign(++level);
  expect(performance.now() - started).toBeLessThan(WITHIN_MS);
  expect(refused).toMatchObject({ status: 503, error: { code: 'STORE_UNAVAILABLE' } });
  expect(refused.signature).toBeUndefined();
  await waitUntil('a log line with STORE_UNAVAILABLE', () => logLinesWith('STORE_UNAVAILABLE') > linesBefore, { timeoutMs: 10_000 });
  expect(logLinesWith('STORE_UNAVAILABLE') - linesBefore).toBe(1);
  const notReady = await readiness();
  expect(notReady.status).toBe(503);
  expect(notReady.body.reasons?.join(' ')).toMatch(/watermark store postgres: (STORE_UNAVAILABLE|no answer within)/);
  await clear();
  await waitUntil('/readyz to answer 200 again', async () => (await readiness()).status === 200, { timeoutMs: 60_000 });
  // the refused request's mark never moved: other bytes at its level sign now, below it nothing does
  expect(await storedLevel()).toBe(level - 1);
  expect((await sign(level - 1, 0x01)).status).toBe(409);
  const after = await sign(level, 0x02);
  expect(after.status).toBe(200);
  expect(verifySignature(tenderbakeBlock(level, 0, 0x02), KEY.public_key, after.signature ?? '')).toBe(true);
}

beforeAll(async () => {
  cluster = await startPostgres();
  await cluster.createDatabase('faults');
  proxy = await startTcpProxy(cluster.port);
  const home = await homeWithKeys([{ secret: KEY.secret_key, name: 'baker' }], 'postgres faults passphrase');
  removeHome = home.remove;
  const url = cluster.url('faults').replace(`:${cluster.port}/`, `:${proxy.port}/`);
  server = await spawnServe(['--watermark-store', 'postgres', '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--log-level', 'info'], {
    ...home.env,
    TEZSIGNER_POSTGRES_URL: url,
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await cluster?.remove();
  await removeHome?.();
  expect(server.stdout() + server.stderr()).not.toContain(cluster.password);
});

describe('PostgreSQL store faults under a running serve', () => {
  test('the database stopped: refused while it is down, signs again once it is back', async () => {
    await failsClosedThenRecovers(
      () => cluster.stop(),
      () => cluster.start(),
    );
  }, 120_000);

  test('restarted between two requests: the next one signs, on a fresh connection, without a restart of the signer', async () => {
    expect((await sign(++level)).status).toBe(200);
    await cluster.stop();
    await cluster.start();
    const after = await sign(++level);
    expect(after.status).toBe(200);
    expect(verifySignature(tenderbakeBlock(level, 0, 0), KEY.public_key, after.signature ?? '')).toBe(true);
  }, 120_000);

  test('connections reset in the middle of a statement', async () => {
    await failsClosedThenRecovers(
      () => proxy.setMode('reset'),
      () => proxy.setMode('forward'),
    );
  }, 120_000);

  test('a database that accepts and never answers', async () => {
    await failsClosedThenRecovers(
      () => proxy.setMode('silent'),
      () => proxy.setMode('forward'),
    );
  }, 120_000);

  test('a statement stuck on a lock another session holds', async () => {
    const holder = await cluster.connect('faults');
    try {
      await failsClosedThenRecovers(
        async () => {
          await holder.query('BEGIN');
          await holder.query('SELECT * FROM tezsigner.watermarks FOR UPDATE');
        },
        async () => {
          await holder.query('ROLLBACK');
        },
      );
    } finally {
      await holder.end();
    }
  }, 120_000);
});
