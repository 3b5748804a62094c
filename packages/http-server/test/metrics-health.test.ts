import { MemoryKeyProvider, MemoryWatermarkStore, decodeSecretKey, storeUnavailable, backendUnavailable } from '@tezsigner/core';
import type { KeyProvider, PreparedCommit, SignedMark, WatermarkKey, WatermarkStore } from '@tezsigner/core';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, test } from 'vitest';
import {
  SignerMetrics,
  instrumentKeyProvider,
  instrumentWatermarkStore,
  keyProviderProbe,
  startHealthServer,
  watermarkStoreProbe,
  type RunningHealthServer,
} from '../src/index.js';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { parseMetrics, switchable } from './support/switchable.js';
import { ED, SP, call, signOver, startTestSigner, type TestSigner } from './support/test-signer.js';

const MAINNET = 'NetXdQprcVkpaWU';

/** A self-signed loopback certificate valid until `notAfter`. */
async function certificate(notAfter: Date): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notAfterDate: notAfter });
  return { cert: pems.cert, key: pems.private };
}
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

async function start(
  keyProvider: KeyProvider = new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]),
  watermarks: WatermarkStore = new MemoryWatermarkStore(),
) {
  const metrics = new SignerMetrics();
  metrics.setKnownKeys([ED.public_key_hash]);
  const signer: TestSigner = await startTestSigner({
    keyProvider: instrumentKeyProvider(keyProvider, metrics),
    watermarks: instrumentWatermarkStore(watermarks, metrics),
    metrics,
    allowedChainIds: [MAINNET],
  });
  running.push(signer);
  const health: RunningHealthServer = await startHealthServer({
    metrics,
    probes: [keyProviderProbe(keyProvider), watermarkStoreProbe(watermarks)],
    port: 0,
    readinessDeadlineMs: 1_000,
  });
  running.push(health);
  return { signer, health };
}

describe('/metrics', () => {
  test('counts match the traffic sent: results, refusals, latencies, high watermarks, process', async () => {
    const { signer, health } = await start();
    for (const level of [10, 11, 12]) expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(level, 0))).status).toBe(200);
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(12, 0))).status).toBe(200); // the same bytes again
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(5, 0))).status).toBe(409); // below the mark
    expect((await signOver(signer.url, ED.public_key_hash, '05' + '0100000003616263')).status).toBe(403); // michelson data: not allowed
    expect((await signOver(signer.url, SP.public_key_hash, tenderbakeBlock(20, 0))).status).toBe(404); // a key this signer lacks

    const response = await fetch(`${health.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const metrics = parseMetrics(await response.text());
    const key = ED.public_key_hash;
    expect(metrics.get(`tezsigner_requests_total{kind="block",key="${key}",result="signed"}`)).toBe(3);
    expect(metrics.get(`tezsigner_requests_total{kind="block",key="${key}",result="repeated"}`)).toBe(1);
    expect(metrics.get(`tezsigner_requests_total{kind="block",key="${key}",result="watermark_refused"}`)).toBe(1);
    expect(metrics.get(`tezsigner_requests_total{kind="michelson_data",key="${key}",result="policy_denied"}`)).toBe(1);
    // an address the signer does not hold is never a label of its own
    expect(metrics.get('tezsigner_requests_total{kind="block",key="other",result="key_not_found"}')).toBe(1);
    expect(metrics.get('tezsigner_refusals_total{reason="watermark"}')).toBe(1);
    expect(metrics.get('tezsigner_refusals_total{reason="policy"}')).toBe(1);
    expect(metrics.get('tezsigner_request_duration_seconds_count{kind="block",result="signed"}')).toBe(3);
    expect(metrics.get(`tezsigner_high_watermark_level{key="${key}",kind="block"}`)).toBe(12);
    expect(metrics.get(`tezsigner_high_watermark_round{key="${key}",kind="block"}`)).toBe(0);
    expect(metrics.get('tezsigner_backend_duration_seconds_count{backend="memory",operation="sign"}')).toBe(3);
    const storeCalls = [...metrics].filter(([name]) => name.startsWith('tezsigner_watermark_store_duration_seconds_count{store="memory"'));
    expect(storeCalls.reduce((sum, [, value]) => sum + value, 0)).toBeGreaterThanOrEqual(5);
    expect(metrics.get('tezsigner_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect([...metrics.keys()].some((name) => name.includes(SP.public_key_hash))).toBe(false);
  });

  test("a store's prepared commits are timed and counted as its commits", async () => {
    const memory = new MemoryWatermarkStore();
    let failing = false;
    const preparing: WatermarkStore = {
      name: 'memory',
      read: (key) => memory.read(key),
      commit: (key, signed) => memory.commit(key, signed),
      list: () => memory.list(),
      prepareCommit: (key: WatermarkKey, signed: SignedMark): PreparedCommit => ({
        complete: () => (failing ? Promise.reject(storeUnavailable('disk gone')) : memory.commit(key, signed)),
        abandon: () => Promise.resolve(),
      }),
    };
    const { signer, health } = await start(undefined, preparing);
    for (const level of [10, 11]) expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(level, 0))).status).toBe(200);
    failing = true;
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(12, 0))).status).toBe(503);
    const metrics = parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
    expect(metrics.get('tezsigner_watermark_store_duration_seconds_count{store="memory",operation="commit"}')).toBe(3);
    expect(metrics.get('tezsigner_watermark_store_errors_total{store="memory",operation="commit"}')).toBe(1);
    expect([...metrics.keys()].some((name) => name.includes('prepareCommit'))).toBe(false);
  });

  test('calls that fail at their deadline are counted apart among the errors; the signing calls start at 0', async () => {
    const timedOut = () => storeUnavailable('table did not answer within 2500 ms', new DOMException('signal timed out', 'TimeoutError'));
    const store = switchable(new MemoryWatermarkStore(), timedOut);
    const keys = switchable(new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]), () => backendUnavailable('HSM answered CKR_DEVICE_ERROR'));
    const { signer, health } = await start(keys.value, store.value);
    let metrics = parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
    for (const operation of ['read', 'commit']) {
      expect(metrics.get(`tezsigner_watermark_store_errors_total{store="memory",operation="${operation}"}`)).toBe(0);
      expect(metrics.get(`tezsigner_watermark_store_deadline_exceeded_total{store="memory",operation="${operation}"}`)).toBe(0);
    }
    expect(metrics.get('tezsigner_backend_errors_total{backend="memory",operation="sign"}')).toBe(0);
    expect(metrics.get('tezsigner_backend_deadline_exceeded_total{backend="memory",operation="sign"}')).toBe(0);

    store.down = true;
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0))).status).toBe(503);
    store.down = false;
    keys.down = true;
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(11, 0))).status).toBe(503);
    metrics = parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
    expect(metrics.get('tezsigner_watermark_store_errors_total{store="memory",operation="read"}')).toBe(1);
    expect(metrics.get('tezsigner_watermark_store_deadline_exceeded_total{store="memory",operation="read"}')).toBe(1);
    // the backend failed at once (its first call, whichever): an error, not a deadline
    const total = (family: string) => [...metrics].filter(([name]) => name.startsWith(`${family}{backend="memory"`)).reduce((sum, [, value]) => sum + value, 0);
    expect(total('tezsigner_backend_errors_total')).toBe(1);
    expect(total('tezsigner_backend_deadline_exceeded_total')).toBe(0);
  });

  test('the certificate served, and the client CA, are exported with their expiry; a reload updates it', async () => {
    const until = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000);
    const first = await certificate(until(30));
    const second = await certificate(until(200));
    const ca = await certificate(until(9));
    const metrics = new SignerMetrics({ processMetrics: false });
    const signer = await startTestSigner({ keys: [ED], metrics, tls: { cert: Buffer.from(first.cert), key: Buffer.from(first.key) } });
    running.push(signer);
    const expiry = async (role: string) => parseMetrics(await metrics.registry.metrics()).get(`tezsigner_tls_certificate_expiry_timestamp_seconds{certificate="${role}"}`);
    expect(await expiry('server')).toBe(Math.floor(Date.parse(new X509Certificate(first.cert).validTo) / 1000));
    expect(await expiry('client_ca')).toBeUndefined();
    signer.server.replaceTls({ cert: Buffer.from(second.cert), key: Buffer.from(second.key), ca: Buffer.from(ca.cert) });
    expect(await expiry('server')).toBe(Math.floor(Date.parse(new X509Certificate(second.cert).validTo) / 1000));
    expect(await expiry('client_ca')).toBe(Math.floor(Date.parse(new X509Certificate(ca.cert).validTo) / 1000));
  });

  test('a failing backend counts as a backend error', async () => {
    const keys = switchable(new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]), () => backendUnavailable('HSM gone'));
    const { signer, health } = await start(keys.value);
    keys.down = true;
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0))).status).toBe(503);
    const metrics = parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
    const errors = [...metrics].filter(([name]) => name.startsWith('tezsigner_backend_errors_total{backend="memory"'));
    expect(errors.reduce((sum, [, value]) => sum + value, 0)).toBeGreaterThanOrEqual(1);
    expect(metrics.get(`tezsigner_requests_total{kind="block",key="${ED.public_key_hash}",result="backend_unavailable"}`)).toBe(1);
  });
});

describe('/healthz and /readyz', () => {
  test('/readyz is 503 naming the store while it is down, and 200 once it is back; /healthz stays 200', async () => {
    const store = switchable(new MemoryWatermarkStore(), () => storeUnavailable('table at https://acct.table.core.windows.net gone'));
    const { health } = await start(undefined, store.value);
    expect(await call(`${health.url}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
    const readiness = async () => {
      const metrics = parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
      return [metrics.get('tezsigner_ready'), metrics.get('tezsigner_readiness_probe_success{probe="watermark store memory"}'), metrics.get('tezsigner_readiness_probe_success{probe="key backend memory"}')];
    };
    expect(await readiness()).toEqual([1, 1, 1]);
    store.down = true;
    const down = await call(`${health.url}/readyz`);
    expect(down).toMatchObject({ status: 503, body: { status: 'not ready', reasons: ['watermark store memory: STORE_UNAVAILABLE'] } });
    expect(JSON.stringify(down.body)).not.toMatch(/https?:|windows\.net/);
    expect((await call(`${health.url}/healthz`)).status).toBe(200);
    // the scrape probes as /readyz does: the same verdict, with the probe that failed
    expect(await readiness()).toEqual([0, 0, 1]);
    store.down = false;
    expect((await call(`${health.url}/readyz`)).status).toBe(200);
    expect(await readiness()).toEqual([1, 1, 1]);
  });

  test('/readyz is 503 naming the key backend while it is down, and 200 once it is back', async () => {
    const keys = switchable(new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]), () => backendUnavailable('vault https://v.vault.azure.net gone'));
    const { health } = await start(keys.value);
    keys.down = true;
    expect(await call(`${health.url}/readyz`)).toMatchObject({ status: 503, body: { reasons: ['key backend memory: BACKEND_UNAVAILABLE'] } });
    keys.down = false;
    expect((await call(`${health.url}/readyz`)).status).toBe(200);
  });

  test('a probe that hangs past the deadline makes /readyz 503 instead of hanging', async () => {
    const hanging = { name: 'stuck', listKeys: () => new Promise<never>(() => undefined) };
    const metrics = new SignerMetrics({ processMetrics: false });
    const health = await startHealthServer({ metrics, probes: [keyProviderProbe(hanging)], port: 0, readinessDeadlineMs: 200 });
    running.push(health);
    expect(await call(`${health.url}/readyz`)).toMatchObject({ status: 503, body: { reasons: ['key backend stuck: no answer within 200 ms'] } });
  });
});

describe('a backend that counts its faults and says why it is not ready', () => {
  /** a key backend as the PKCS#11 one exposes itself: fault counters, a probe, a readiness detail */
  function faultyBackend() {
    const state = { faults: { hung_call: 0, session_dropped: 0, module_restart: 0 }, detail: undefined as string | undefined };
    const provider = {
      name: 'hsm',
      listKeys: async () => [],
      probe: async () => {
        if (state.detail !== undefined) throw backendUnavailable('module text that stays in the log');
      },
      readinessDetail: () => state.detail,
      faultCounts: () => ({ ...state.faults }),
    };
    return { state, provider };
  }

  test('/metrics exports its counters as tezsigner_backend_faults_total, as they grow', async () => {
    const { state, provider } = faultyBackend();
    const metrics = new SignerMetrics({ processMetrics: false });
    metrics.watchBackendFaults(provider);
    // a backend without counters adds nothing
    metrics.watchBackendFaults(new MemoryKeyProvider([]));
    const health = await startHealthServer({ metrics, probes: [], port: 0 });
    running.push(health);
    const scrape = async () => parseMetrics(await (await fetch(`${health.url}/metrics`)).text());
    const first = await scrape();
    expect(first.get('tezsigner_backend_faults_total{backend="hsm",fault="hung_call"}')).toBe(0);
    expect([...first.keys()].filter((name) => name.startsWith('tezsigner_backend_faults_total'))).toHaveLength(3);
    state.faults = { hung_call: 5, session_dropped: 2, module_restart: 1 };
    const second = await scrape();
    expect(second.get('tezsigner_backend_faults_total{backend="hsm",fault="hung_call"}')).toBe(5);
    expect(second.get('tezsigner_backend_faults_total{backend="hsm",fault="session_dropped"}')).toBe(2);
    expect(second.get('tezsigner_backend_faults_total{backend="hsm",fault="module_restart"}')).toBe(1);
    state.faults = { hung_call: 7, session_dropped: 2, module_restart: 1 };
    expect((await scrape()).get('tezsigner_backend_faults_total{backend="hsm",fault="hung_call"}')).toBe(7);
  });

  test('/readyz names the key backend, its code and its own reason, never the backend error text', async () => {
    const { state, provider } = faultyBackend();
    const metrics = new SignerMetrics({ processMetrics: false });
    const health = await startHealthServer({ metrics, probes: [keyProviderProbe(provider), watermarkStoreProbe(new MemoryWatermarkStore())], port: 0 });
    running.push(health);
    expect((await call(`${health.url}/readyz`)).status).toBe(200);
    state.detail = 'the PKCS#11 module has not answered for 4.0 s (5 call(s) still out)';
    const down = await call(`${health.url}/readyz`);
    expect(down).toMatchObject({
      status: 503,
      body: { status: 'not ready', reasons: ['key backend hsm: BACKEND_UNAVAILABLE (the PKCS#11 module has not answered for 4.0 s (5 call(s) still out))'] },
    });
    expect(JSON.stringify(down.body)).not.toContain('module text');
  });
});
