import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTlsMaterial } from '../src/index.js';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, startTestSigner, tempHome, type TestSigner } from './support/test-signer.js';
import { createClientCertificate, createLoopbackCertificate, httpsCall, type LoopbackCertificate } from './support/tls-certificates.js';

const REPO = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

let dir: Awaited<ReturnType<typeof tempHome>>;
let server: LoopbackCertificate;
let files: { cert: string; key: string; clientCa: string };
let client: LoopbackCertificate;
let stranger: LoopbackCertificate;

beforeAll(async () => {
  dir = await tempHome();
  [server, client, stranger] = await Promise.all([createLoopbackCertificate(), createClientCertificate('baker'), createClientCertificate('stranger')]);
  files = { cert: join(dir.path, 'cert.pem'), key: join(dir.path, 'key.pem'), clientCa: join(dir.path, 'client-ca.pem') };
  await writeFile(files.cert, server.cert);
  await writeFile(files.key, server.key, { mode: 0o600 });
  await writeFile(files.clientCa, client.cert);
});
afterAll(() => dir.remove());

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

/**
 * Taquito's RemoteSigner, unchanged, in its own process: it trusts the test certificate the
 * standard way (NODE_EXTRA_CA_CERTS), so nothing in this process trusts it globally.
 */
async function taquitoSign(url: string, bytes: string): Promise<string> {
  const script = `
    import { RemoteSigner } from '@taquito/remote-signer';
    const signed = await new RemoteSigner(${JSON.stringify(ED.public_key_hash)}, ${JSON.stringify(url)}).sign(${JSON.stringify(bytes)});
    process.stdout.write(signed.prefixSig);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: files.cert },
  });
  return stdout;
}

describe('HTTPS', () => {
  let signer: TestSigner;
  beforeAll(async () => {
    signer = await startTestSigner({ keys: [ED], tls: await readTlsMaterial({ cert: files.cert, key: files.key }) });
  });
  afterAll(() => signer.close());

  test('Taquito RemoteSigner signs over https:// with the certificate the test made', async () => {
    expect(signer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const bytes = tenderbakeBlock(500, 0);
    const signature = await taquitoSign(signer.url, bytes);
    expect(verifySignature(bytes, ED.public_key, signature)).toBe(true);
  });

  test('a client that does not trust the certificate cannot talk to the signer', async () => {
    const other = await createLoopbackCertificate();
    await expect(httpsCall(`${signer.url}/authorized_keys`, { ca: other.cert })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  test('replaceTls: new connections get the new certificate, a broken pair is refused before use', async () => {
    expect((await httpsCall(`${signer.url}/authorized_keys`, { ca: server.cert })).serverFingerprint).toBe(fingerprintOf(server.cert));
    const next = await createLoopbackCertificate();
    const nextFiles = { cert: join(dir.path, 'next-cert.pem'), key: join(dir.path, 'next-key.pem') };
    await writeFile(nextFiles.cert, next.cert);
    await writeFile(nextFiles.key, next.key, { mode: 0o600 });
    // the certificate of one pair with the key of another
    await expect(readTlsMaterial({ cert: nextFiles.cert, key: files.key })).rejects.toThrow(/cannot be used/);
    signer.server.replaceTls(await readTlsMaterial(nextFiles));
    const after = await httpsCall(`${signer.url}/keys/${ED.public_key_hash}`, { ca: next.cert });
    expect(after).toMatchObject({ status: 200, body: { public_key: ED.public_key } });
    expect(after.serverFingerprint).toBe(fingerprintOf(next.cert));
    expect(after.serverFingerprint).not.toBe(fingerprintOf(server.cert));
  });
});

describe('client certificates (--tls-client-ca)', () => {
  let signer: TestSigner;
  beforeAll(async () => {
    signer = await startTestSigner({ keys: [ED], tls: await readTlsMaterial(files) });
  });
  afterAll(() => signer.close());

  test('a client with a certificate from the CA is served', async () => {
    const answer = await httpsCall(`${signer.url}/keys/${ED.public_key_hash}`, { ca: server.cert, client });
    expect(answer).toMatchObject({ status: 200, body: { public_key: ED.public_key } });
  });

  test('a client with another certificate, or none, is refused during the handshake', async () => {
    await expect(httpsCall(`${signer.url}/keys/${ED.public_key_hash}`, { ca: server.cert, client: stranger })).rejects.toThrow();
    await expect(httpsCall(`${signer.url}/keys/${ED.public_key_hash}`, { ca: server.cert })).rejects.toThrow();
  });
});

test('a client that connects and never completes the TLS handshake is cut off within the header timeout', async () => {
  const signer = await startTestSigner({ keys: [ED], tls: await readTlsMaterial({ cert: files.cert, key: files.key }), limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 5_000 } });
  try {
    const { port } = new URL(signer.url);
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(15_000);
  } finally {
    await signer.close();
  }
});
