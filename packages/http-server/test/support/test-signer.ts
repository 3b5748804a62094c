import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyProvider, SignerService, decodeSecretKey } from '@tezsigner/core';
import type { KeyProvider, SignerPolicy, WatermarkStore } from '@tezsigner/core';
import { FileWatermarkStore } from '@tezsigner/local-adapter';
import { captureLog } from '../../../../test-support/log-capture.js';
import { keyVectors, type KeyVector } from '../../../../test-support/vectors.js';
import { createRequestLogger, startSignerServer, type RunningSignerServer, type SignerServerOptions } from '../../src/index.js';

/** The key vector of a name (`ed25519-1`, `secp256k1-1`, `p256-1`, `bls12_381-1`, …). */
export function keyVector(name: string): KeyVector {
  const key = keyVectors().find((vector) => vector.name === name);
  if (key === undefined) throw new Error(`no key vector ${name}`);
  return key;
}

export const ED = keyVector('ed25519-1');
export const SP = keyVector('secp256k1-1');
export const P2 = keyVector('p256-1');
export const BL = keyVector('bls12_381-1');

export async function tempHome(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'tezsigner-http-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface TestSigner {
  readonly url: string;
  /** the running server, for what a test swaps while it runs (keys, certificate) */
  readonly server: RunningSignerServer;
  /** every log line written so far, parsed */
  readonly logs: Record<string, unknown>[];
  /** the raw log output, to look for what must never be there */
  readonly rawLogs: () => string;
  close(): Promise<void>;
}

export interface TestSignerOptions extends Omit<Partial<SignerServerOptions>, 'signer'> {
  /** the signer's home: watermarks are files there (a fresh folder when absent) */
  readonly home?: string;
  readonly keys?: readonly KeyVector[];
  readonly keyProvider?: KeyProvider;
  readonly watermarks?: WatermarkStore;
  readonly policy?: SignerPolicy;
  readonly signer?: SignerServerOptions['signer'];
}

/**
 * A real signer on a free loopback port: the vector keys in memory, durable file watermarks in
 * `home`, the real SignerService and HTTP server, logging into memory.
 */
export async function startTestSigner(options: TestSignerOptions = {}): Promise<TestSigner> {
  const ownHome = options.home === undefined ? await tempHome() : undefined;
  const home = options.home ?? ownHome?.path ?? '';
  const keys =
    options.keyProvider ??
    new MemoryKeyProvider((options.keys ?? [ED, SP, P2, BL]).map((key) => decodeSecretKey(key.secret_key)));
  const watermarks: WatermarkStore = options.watermarks ?? (await FileWatermarkStore.open({ home }));
  const signer = options.signer ?? new SignerService({ keys, watermarks, policy: options.policy });
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const write = (text: string): void => {
    raw += text;
    captureLog(text);
    for (const line of text.split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
  };
  const server = await startSignerServer({
    ...options,
    signer,
    host: '127.0.0.1',
    port: 0,
    logger: options.logger ?? createRequestLogger({ level: 'info', write }),
  }).catch(async (err: unknown) => {
    await ownHome?.remove();
    throw err;
  });
  return {
    url: server.url,
    server,
    logs,
    rawLogs: () => raw,
    async close() {
      await server.close();
      await watermarks.close?.();
      await ownHome?.remove();
    },
  };
}

/** A raw HTTP exchange, answering the status and the parsed JSON body. */
export async function call(
  url: string,
  init: { method?: string; body?: string; contentType?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; contentType: string | null }> {
  const headers: Record<string, string> = { ...init.headers };
  const contentType = init.contentType === undefined ? 'application/json' : init.contentType;
  if (init.body !== undefined && contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test will say so
  }
  return { status: response.status, body, contentType: response.headers.get('content-type') };
}

/** POST /keys/<pkh> with the hex as octez sends it. */
export function signOver(url: string, pkh: string, hex: string, query = ''): ReturnType<typeof call> {
  return call(`${url}/keys/${pkh}${query}`, { body: JSON.stringify(hex) });
}
