import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addressToBytes, bytesToHex } from '@tezsigner/core';
import { InMemorySigner } from '@taquito/signer';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { keyVector } from '../../http-server/test/support/test-signer.js';
import { createLoopbackCertificate, httpsCall } from '../../http-server/test/support/tls-certificates.js';
import { parseMetrics } from '../../http-server/test/support/switchable.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { spawnServe, type ServeChild } from './support/serve-child.js';
import { startSlowRequest } from './support/slow-request.js';
import { waitUntil } from '../../../test-support/wait-until.js';

const ED = keyVector('ed25519-1');
const AUTH_A = keyVector('ed25519-2');
const AUTH_B = keyVector('secp256k1-1');

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
let serving: ServeChild | undefined;
beforeEach(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'production test passphrase' };
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);
});
afterEach(async () => {
  serving?.kill();
  serving = undefined;
  await home.remove();
});

/** `?authentication=` as an octez client makes it: the authorizing key signs 0x04 ‖ 0x01 ‖ pkh ‖ bytes. */
async function authentication(by: typeof AUTH_A, bytes: string): Promise<string> {
  const signed = await new InMemorySigner(by.secret_key).sign(`0401${bytesToHex(addressToBytes(ED.public_key_hash))}${bytes}`);
  return `?authentication=${signed.prefixSig}`;
}

async function sign(url: string, bytes: string, by: typeof AUTH_A): Promise<number> {
  const response = await fetch(`${url}/keys/${ED.public_key_hash}${await authentication(by, bytes)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bytes),
  });
  await response.text();
  return response.status;
}

async function slowSign(url: string, bytes: string, by: typeof AUTH_A, ca?: string) {
  return startSlowRequest(url, `/keys/${ED.public_key_hash}${await authentication(by, bytes)}`, JSON.stringify(bytes), ca);
}

describe('SIGHUP', () => {
  test('reloads the authorized keys while requests are in flight; a broken file is refused and the old keys kept', async () => {
    const keysFile = join(home.path, 'authorized_keys');
    await writeFile(keysFile, `${AUTH_A.public_key} a\n${AUTH_B.public_key} b\n`);
    serving = await spawnServe(['--port', '0', '--metrics-port', '0', '--authorized-keys', keysFile], env);
    const { url } = serving;
    expect(await sign(url, tenderbakeBlock(10, 0), AUTH_A)).toBe(200);

    // a valid new file: only B
    const inFlight = await slowSign(url, tenderbakeBlock(11, 0), AUTH_B);
    await writeFile(keysFile, `${AUTH_B.public_key} b\n`);
    serving.child.kill('SIGHUP');
    await serving.waitFor(/reloaded authorized keys \S+: 1 key\(s\)/);
    expect((await inFlight.finish()).status).toBe(200);
    expect(await sign(url, tenderbakeBlock(12, 0), AUTH_A)).toBe(403);
    expect(await sign(url, tenderbakeBlock(13, 0), AUTH_B)).toBe(200);

    // a broken new file: an address where a public key belongs
    const inFlightAgain = await slowSign(url, tenderbakeBlock(14, 0), AUTH_B);
    await writeFile(keysFile, `${AUTH_A.public_key_hash}\n`);
    serving.child.kill('SIGHUP');
    await serving.waitFor(/error: kept the previous authorized keys \S+: .*is an address/);
    expect((await inFlightAgain.finish()).status).toBe(200);
    expect(await sign(url, tenderbakeBlock(15, 0), AUTH_B)).toBe(200);
    expect(await sign(url, tenderbakeBlock(16, 0), AUTH_A)).toBe(403);
    expect(serving.child.exitCode).toBeNull();

    const metrics = parseMetrics(await (await fetch(`${serving.metricsUrl ?? ''}/metrics`)).text());
    expect(metrics.get(`tezsigner_requests_total{kind="block",key="${ED.public_key_hash}",result="signed"}`)).toBe(5);
    expect(metrics.get('tezsigner_refusals_total{reason="auth"}')).toBe(2);
  });

  test('swaps the TLS certificate for new connections, keeps the one in use on a broken file', async () => {
    const first = await createLoopbackCertificate();
    const second = await createLoopbackCertificate();
    const files = { cert: join(home.path, 'cert.pem'), key: join(home.path, 'key.pem') };
    await writeFile(files.cert, first.cert);
    await writeFile(files.key, first.key, { mode: 0o600 });
    serving = await spawnServe(['--port', '0', '--no-metrics', '--tls-cert', files.cert, '--tls-key', files.key], env);
    const { url } = serving;
    expect(url).toMatch(/^https:\/\//);
    const pkhPath = `${url}/keys/${ED.public_key_hash}`;
    expect((await httpsCall(pkhPath, { ca: first.cert })).serverFingerprint).toBe(new X509Certificate(first.cert).fingerprint256);

    const inFlight = await startSlowRequest(url, `/keys/${ED.public_key_hash}`, JSON.stringify(tenderbakeBlock(20, 0)), first.cert);
    await writeFile(files.cert, second.cert);
    await writeFile(files.key, second.key, { mode: 0o600 });
    serving.child.kill('SIGHUP');
    await serving.waitFor(/reloaded TLS certificate/);
    const answered = await inFlight.finish();
    expect(answered.status).toBe(200);
    expect(verifySignature(tenderbakeBlock(20, 0), ED.public_key, (answered.body as { signature: string }).signature)).toBe(true);
    const after = await httpsCall(pkhPath, { ca: second.cert });
    expect(after).toMatchObject({ status: 200, body: { public_key: ED.public_key } });
    expect(after.serverFingerprint).toBe(new X509Certificate(second.cert).fingerprint256);

    await writeFile(files.key, 'not a key\n');
    serving.child.kill('SIGHUP');
    await serving.waitFor(/error: kept the previous TLS certificate/);
    expect((await httpsCall(pkhPath, { ca: second.cert })).serverFingerprint).toBe(new X509Certificate(second.cert).fingerprint256);
  });
});

test('SIGTERM: stops accepting, answers the request in flight, exits 0', async () => {
  serving = await spawnServe(['--port', '0', '--no-metrics'], env);
  const { url } = serving;
  const bytes = tenderbakeBlock(30, 0);
  const inFlight = await startSlowRequest(url, `/keys/${ED.public_key_hash}`, JSON.stringify(bytes));
  serving.child.kill('SIGTERM');
  await serving.waitFor(/SIGTERM received, finishing requests in flight \(at most 5000 ms\)/);
  await expect(fetch(`${url}/keys/${ED.public_key_hash}`)).rejects.toThrow();
  const answered = await inFlight.finish();
  expect(answered.status).toBe(200);
  expect(verifySignature(bytes, ED.public_key, (answered.body as { signature: string }).signature)).toBe(true);
  expect(await serving.exited).toBe(0);
  expect(serving.stderr()).toContain('tezsigner: stopped');
  expect(serving.stdout()).toContain('"outcome":"signed"');
});

test('serve --config: the file sets the listener, chains, passphrase file and metrics; /readyz answers', async () => {
  const passphraseFile = join(home.path, 'passphrase');
  await writeFile(passphraseFile, `${env['TEZSIGNER_PASSPHRASE'] ?? ''}\n`, { mode: 0o600 });
  const config = join(home.path, 'tezsigner.yaml');
  await writeFile(
    config,
    [`home: ${home.path}`, `passphrase-file: ${passphraseFile}`, 'listen: { address: 127.0.0.1, port: 0 }', 'chain-ids: [NetXdQprcVkpaWU]', 'metrics: { port: 0 }', 'limits: { shutdown-grace-ms: 2000 }'].join('\n'),
  );
  serving = await spawnServe(['--config', config], {});
  expect(serving.stderr()).toContain(`tezsigner: configuration: ${config}`);
  expect(serving.stderr()).toContain('tezsigner: chains: NetXdQprcVkpaWU');
  const bytes = tenderbakeBlock(40, 0);
  const response = await fetch(`${serving.url}/keys/${ED.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bytes) });
  expect(response.status).toBe(200);
  expect(verifySignature(bytes, ED.public_key, ((await response.json()) as { signature: string }).signature)).toBe(true);
  // /readyz probes the key backend and the store on each call, each within 2 s: on a machine busy
  // enough to miss that, one answer can be 503 (docs/production.md says so); ready must come, though
  const ready = await waitUntil('/readyz to answer 200', async () => {
    const answer = await fetch(`${serving?.metricsUrl ?? ''}/readyz`);
    if (answer.status !== 200) throw new Error(`${answer.status} ${await answer.text()}`);
    return (await answer.json()) as unknown;
  });
  expect(ready).toEqual({ status: 'ready' });
  expect((await fetch(`${serving.metricsUrl ?? ''}/healthz`)).status).toBe(200);
  serving.child.kill('SIGTERM');
  await serving.waitFor(/at most 2000 ms/);
  expect(await serving.exited).toBe(0);
});
