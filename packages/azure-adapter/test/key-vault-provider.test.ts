import { RestError } from '@azure/data-tables';
import { blake2b } from '@noble/hashes/blake2.js';
import { isTezsignerError, type KeyInfo } from '@tezsigner/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { azureKeyVectors } from '../../../test-support/vectors.js';
import { AzureKeyVaultProvider, type AzureKeyVaultProviderOptions } from '../src/index.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';
import type { StoredKey } from './support/key-vault-store.js';
import { StaticTokenCredential } from './support/static-credential.js';
import { isLowS, taquitoIdentity, taquitoVerifies } from './support/taquito-check.js';

let standIn: KeyVaultStandIn;
let logs: string[];

beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
  logs = [];
});
afterEach(async () => {
  await standIn.stop();
});

function provider(options: Partial<AzureKeyVaultProviderOptions> = {}): AzureKeyVaultProvider {
  return new AzureKeyVaultProvider({
    vaultUrl: standIn.url,
    credential: standIn.credential(),
    clientOptions: standIn.clientOptions(),
    logger: { info: (line) => logs.push(line), warn: (line) => logs.push(line) },
    ...options,
  });
}

async function identity(key: StoredKey): Promise<{ pkh: string; publicKey: string }> {
  return taquitoIdentity(key.crv === 'P-256' ? 'p256' : 'secp256k1', key.d as Uint8Array);
}

const signInput = (bytes: Uint8Array) => ({ bytes, digest: blake2b(bytes, { dkLen: 32 }) });
const message = (n: number) => Uint8Array.from([0x03, ...new TextEncoder().encode(`operation ${n} ${Math.random()}`)]);

describe('listing', () => {
  test('a vault host that does not resolve fails the start at once, in one line, without retrying', async () => {
    // what the SDK's HTTP client throws when DNS has no such name (no query leaves this machine)
    const noSuchHost = {
      sendRequest: async (request: { url: string }) => {
        throw new RestError(`getaddrinfo ENOTFOUND ${new URL(request.url).hostname}`, { code: 'ENOTFOUND' });
      },
    };
    const mistyped = provider({ vaultUrl: 'https://my-kv.vault.azure.nte', clientOptions: { httpClient: noSuchHost as never }, listDeadlineMs: 60_000 });
    const error = await rejection(mistyped.listKeys());
    expect(isTezsignerError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(
      'cannot list the keys of https://my-kv.vault.azure.nte: no such host my-kv.vault.azure.nte (ENOTFOUND): check the vault URL',
    );
    expect(logs.filter((line) => line.includes('retrying'))).toEqual([]);
  });

  test('lists enabled P-256K (tz2) and P-256 (tz3) keys with the addresses Taquito derives', async () => {
    const tz2 = standIn.vault.generate({ name: 'baker-tz2', curve: 'secp256k1' });
    const tz3 = standIn.vault.generate({ name: 'baker-tz3', curve: 'p256' });
    const keys = await provider().listKeys();
    const expected: KeyInfo[] = [
      { ...(await identity(tz2)), curve: 'secp256k1', label: `baker-tz2/${tz2.version}` },
      { ...(await identity(tz3)), curve: 'p256', label: `baker-tz3/${tz3.version}` },
    ];
    expect([...keys].sort((a, b) => a.pkh.localeCompare(b.pkh))).toEqual(expected.sort((a, b) => a.pkh.localeCompare(b.pkh)));
    expect(expected.map((k) => k.pkh.slice(0, 3)).sort()).toEqual(['tz2', 'tz3']);
  });

  test('gives the two real vault keys of azure-keys.json (one named SECP256K1) their addresses', async () => {
    const vectors = azureKeyVectors();
    expect(vectors.map((v) => v.crv_as_returned)).toContain('SECP256K1');
    vectors.forEach((v, i) => standIn.vault.addPublic(`vector-${i}`, { kty: v.kty, crv: v.crv_as_returned, x: v.x, y: v.y }));
    const keys = await provider().listKeys();
    expect(keys.map((k) => ({ pkh: k.pkh, publicKey: k.publicKey })).sort((a, b) => a.pkh.localeCompare(b.pkh))).toEqual(
      vectors.map((v) => ({ pkh: v.public_key_hash, publicKey: v.public_key })).sort((a, b) => a.pkh.localeCompare(b.pkh)),
    );
  });

  test('skips every other key with one log line saying why', async () => {
    const good = standIn.vault.generate({ name: 'good', curve: 'secp256k1' });
    standIn.vault.addRsa('an-rsa-key');
    standIn.vault.addP384('a-p384-key');
    standIn.vault.generate({ name: 'a-disabled-key', curve: 'p256', enabled: false });
    standIn.vault.generate({ name: 'a-verify-only-key', curve: 'p256', keyOps: ['verify'] });
    const keys = await provider().listKeys();
    expect(keys.map((k) => k.pkh)).toEqual([(await identity(good)).pkh]);
    const about = (name: string) => logs.filter((line) => line.includes(name));
    expect(about('an-rsa-key')).toHaveLength(1);
    expect(about('an-rsa-key')[0]).toMatch(/RSA-HSM/);
    expect(about('a-p384-key')).toHaveLength(1);
    expect(about('a-p384-key')[0]).toMatch(/P-384/);
    expect(about('a-disabled-key')).toHaveLength(1);
    expect(about('a-disabled-key')[0]).toMatch(/disabled/);
    expect(about('a-verify-only-key')).toHaveLength(1);
    expect(about('a-verify-only-key')[0]).toMatch(/sign/);
    // a disabled key is known from the list alone: no GET for it
    expect(standIn.requests.filter((r) => r.path.startsWith('/keys/a-disabled-key'))).toEqual([]);
  });

  test('serves one of two vault keys holding the same secret, says which it skips, and warns of a software-protected key', async () => {
    const first = standIn.vault.generate({ name: 'a-first', curve: 'secp256k1', kty: 'EC' });
    const copy = standIn.vault.generate({ name: 'b-copy', curve: 'secp256k1', privateKey: first.d as Uint8Array });
    const keys = await provider().listKeys();
    expect(keys.map((k) => k.label)).toEqual([`a-first/${first.version}`]);
    expect(logs.filter((line) => line.includes(`b-copy/${copy.version}`))).toEqual([
      expect.stringMatching(new RegExp(`skipping key b-copy/${copy.version}: same key as a-first/${first.version}`)),
    ]);
    expect(logs.filter((line) => line.includes('software-protected'))).toEqual([expect.stringContaining(`key a-first/${first.version} is software-protected`)]);
  });

  test('signs with a key whose curve the vault names SECP256K1, with the algorithm it accepts for that name', async () => {
    const legacy = standIn.vault.generate({ name: 'legacy', curve: 'secp256k1', crv: 'SECP256K1' });
    const vault = provider();
    const { pkh, publicKey } = await identity(legacy);
    expect((await vault.listKeys()).map((k) => k.pkh)).toEqual([pkh]);
    const bytes = message(1);
    expect(taquitoVerifies('secp256k1', bytes, publicKey, await vault.sign(pkh, signInput(bytes)))).toBe(true);
    expect(standIn.authorized('sign').map((r) => r.status)).toEqual([200]);
  });

  test('a readiness probe reads a served key from the vault: it fails while the vault fails, and passes again after', async () => {
    standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
    const vault = provider({ deadlineMs: 500 });
    await vault.listKeys();
    const reads = standIn.authorized('get').length;
    await vault.probe();
    expect(standIn.authorized('get').length).toBe(reads + 1);
    standIn.inject('get', { kind: 'status', status: 500 }, 1);
    const err = await rejection(vault.probe());
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/did not answer a read of baker/);
    await vault.probe();
  });

  test('uses the current version of a key that has several', async () => {
    standIn.vault.generate({ name: 'rotated', curve: 'secp256k1' });
    const current = standIn.vault.generate({ name: 'rotated', curve: 'secp256k1' });
    const keys = await provider().listKeys();
    expect(keys).toEqual([{ ...(await identity(current)), curve: 'secp256k1', label: `rotated/${current.version}` }]);
  });

  test("follows the vault's pages", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `key-${String(i).padStart(2, '0')}`);
    names.forEach((name, i) => standIn.vault.generate({ name, curve: i % 2 === 0 ? 'secp256k1' : 'p256' }));
    const keys = await provider().listKeys();
    expect(keys.map((k) => k.label?.split('/')[0]).sort()).toEqual(names);
    expect(standIn.authorized('list')).toHaveLength(2);
  });

  test('with pinned keys, uses exactly those (an older version too) without listing the vault', async () => {
    const first = standIn.vault.generate({ name: 'pinned', curve: 'secp256k1' });
    standIn.vault.generate({ name: 'pinned', curve: 'secp256k1' });
    const other = standIn.vault.generate({ name: 'other', curve: 'p256' });
    standIn.vault.generate({ name: 'not-pinned', curve: 'p256' });
    const keys = await provider({ pinnedKeys: [{ name: 'pinned', version: first.version }, { name: 'other' }] }).listKeys();
    expect(keys.map((k) => k.pkh).sort()).toEqual([(await identity(first)).pkh, (await identity(other)).pkh].sort());
    expect(standIn.requests.filter((r) => r.operation === 'list')).toEqual([]);
  });

  test('a pinned key that is missing or cannot sign is a configuration error', async () => {
    standIn.vault.addRsa('rsa');
    const missing = await rejection(provider({ pinnedKeys: [{ name: 'nowhere' }] }).listKeys());
    expect(isTezsignerError(missing, 'CONFIG_INVALID') && missing.message).toMatch(/nowhere/);
    const rsa = await rejection(provider({ pinnedKeys: [{ name: 'rsa' }] }).listKeys());
    expect(isTezsignerError(rsa, 'CONFIG_INVALID') && rsa.message).toMatch(/rsa.*RSA-HSM/);
  });

  test('an unreachable vault is BACKEND_UNAVAILABLE, and the next call asks again', async () => {
    const key = standIn.vault.generate({ name: 'k', curve: 'secp256k1' });
    standIn.inject('list', { kind: 'status', status: 500 }, 1000);
    const vault = provider({ listDeadlineMs: 400 });
    const err = await rejection(vault.listKeys());
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE')).toBe(true);
    standIn.clearFaults();
    expect((await vault.listKeys()).map((k) => k.pkh)).toEqual([(await identity(key)).pkh]);
  });

  test('a credential the vault refuses fails at once with BACKEND_UNAVAILABLE', async () => {
    standIn.vault.generate({ name: 'k', curve: 'secp256k1' });
    const vault = provider({ credential: new StaticTokenCredential('wrong-token') });
    const err = await rejection(vault.listKeys());
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/401/);
  });
});

describe('signing', () => {
  test('signs BLAKE2b-256 of the bytes, answers low-S and Taquito verifies it, even when the vault answers high-S', async () => {
    const keys = [standIn.vault.generate({ name: 'tz2', curve: 'secp256k1' }), standIn.vault.generate({ name: 'tz3', curve: 'p256' })];
    const vault = provider();
    for (const key of keys) {
      const { pkh, publicKey } = await identity(key);
      const curve = key.crv === 'P-256' ? 'p256' : 'secp256k1';
      standIn.inject('sign', { kind: 'high-s' }, 6);
      for (let i = 0; i < 12; i++) {
        const bytes = message(i);
        const signature = await vault.sign(pkh, signInput(bytes));
        expect(signature).toHaveLength(64);
        expect(isLowS(curve, signature)).toBe(true);
        expect(taquitoVerifies(curve, bytes, publicKey, signature)).toBe(true);
      }
    }
  });

  test('a signature costs one request to the vault: the key is never fetched again', async () => {
    const key = standIn.vault.generate({ name: 'one-trip', curve: 'p256' });
    const vault = provider();
    const { pkh } = await identity(key);
    await vault.listKeys();
    standIn.requests.length = 0;
    for (let i = 0; i < 5; i++) await vault.sign(pkh, signInput(message(i)));
    const path = `/keys/one-trip/${key.version}/sign`;
    // the SDK's bearer challenge, once per client, then exactly one authorized POST per signature
    expect(standIn.requests.map((r) => `${r.method} ${r.path} ${r.authorized} ${r.status}`)).toEqual([
      `POST ${path} false 401`,
      ...Array.from({ length: 5 }, () => `POST ${path} true 200`),
    ]);
  });

  test('200 signatures: one vault request each, on connections that are kept and reused', async () => {
    const key = standIn.vault.generate({ name: 'busy', curve: 'secp256k1' });
    const vault = provider();
    const { pkh } = await identity(key);
    await vault.listKeys();
    const requestsBefore = standIn.requests.length;
    const connectionsBefore = standIn.tlsConnections;
    for (let i = 0; i < 100; i++) await vault.sign(pkh, signInput(message(i)));
    // the listing's connection carries the signatures too: no new TLS handshake one after another
    expect(standIn.tlsConnections - connectionsBefore).toBeLessThanOrEqual(1);
    for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => vault.sign(pkh, signInput(message(100 + round * 10 + i)))));
    // ten at once need at most ten sockets, opened once
    expect(standIn.tlsConnections - connectionsBefore).toBeLessThanOrEqual(10);
    const requests = standIn.requests.slice(requestsBefore);
    // the vault's bearer challenge once (the body is withheld until the token is known), then one POST per signature
    expect(requests.filter((r) => !r.authorized).map((r) => r.status)).toEqual([401]);
    expect(requests.filter((r) => r.authorized).map((r) => `${r.method} ${r.operation} ${r.status}`)).toEqual(Array.from({ length: 200 }, () => 'POST sign 200'));
    await vault.close();
  });

  test('an unknown address is KEY_NOT_FOUND without asking the vault', async () => {
    standIn.vault.generate({ name: 'k', curve: 'p256' });
    const vault = provider();
    await vault.listKeys();
    const before = standIn.requests.length;
    const err = await rejection(vault.sign('tz3cJGrMzdxJrm4FCGzywYmPSQdaqGZ8A9bD', signInput(message(0))));
    expect(isTezsignerError(err, 'KEY_NOT_FOUND')).toBe(true);
    expect(standIn.requests.length).toBe(before);
  });
});

describe('faults', () => {
  let key: StoredKey;
  let pkh: string;
  let publicKey: string;

  beforeEach(async () => {
    key = standIn.vault.generate({ name: 'faulty', curve: 'secp256k1' });
    ({ pkh, publicKey } = await identity(key));
  });

  async function signedDespite(vault: AzureKeyVaultProvider): Promise<void> {
    const bytes = message(1);
    const signature = await vault.sign(pkh, signInput(bytes));
    expect(taquitoVerifies('secp256k1', bytes, publicKey, signature)).toBe(true);
  }

  const statuses = () => standIn.authorized('sign').map((r) => r.status);

  test('429 with Retry-After: waits as told, then signs', async () => {
    const vault = provider();
    await vault.listKeys();
    standIn.inject('sign', { kind: 'throttle', retryAfterSeconds: 1 });
    const started = performance.now();
    await signedDespite(vault);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(statuses()).toEqual([429, 200]);
    expect(logs.some((line) => line.includes('429') && line.includes('retrying'))).toBe(true);
  });

  test('429 with Retry-After: 0 still backs off, growing: a handful of requests, not hundreds', async () => {
    const vault = provider({ deadlineMs: 1500 });
    await vault.listKeys();
    standIn.inject('sign', { kind: 'throttle', retryAfterSeconds: 0 }, 10_000);
    const err = await rejection(vault.sign(pkh, signInput(message(1))));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/429.*deadline of 1500 ms/);
    expect(statuses().length).toBeGreaterThan(1);
    expect(statuses().length).toBeLessThanOrEqual(8);
  });

  test('429 asking for a wait past the deadline fails closed at once', async () => {
    const vault = provider({ deadlineMs: 3000 });
    await vault.listKeys();
    standIn.inject('sign', { kind: 'throttle', retryAfterSeconds: 10 });
    const started = performance.now();
    const err = await rejection(vault.sign(pkh, signInput(message(1))));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/429/);
    // it did not sit out the 10 s the vault asked for
    expect(performance.now() - started).toBeLessThan(5000);
    expect(statuses()).toEqual([429]);
  });

  test('server errors (500, 502, 503) are retried with backoff', async () => {
    const vault = provider();
    await vault.listKeys();
    standIn.inject('sign', { kind: 'status', status: 500 });
    standIn.inject('sign', { kind: 'status', status: 502 });
    standIn.inject('sign', { kind: 'status', status: 503 });
    await signedDespite(vault);
    expect(statuses()).toEqual([500, 502, 503, 200]);
  });

  test('a dropped connection is retried', async () => {
    const vault = provider();
    await vault.listKeys();
    standIn.inject('sign', { kind: 'drop' });
    await signedDespite(vault);
    expect(statuses()).toEqual(['dropped', 200]);
  });

  test('an answer slower than the attempt timeout is abandoned and retried', async () => {
    const vault = provider({ attemptTimeoutMs: 300 });
    await vault.listKeys();
    standIn.inject('sign', { kind: 'delay', ms: 1500 });
    await signedDespite(vault);
    expect(standIn.authorized('sign')).toHaveLength(2);
  });

  test('a wrong signature is never returned: retried, and it verifies', async () => {
    const vault = provider();
    await vault.listKeys();
    standIn.inject('sign', { kind: 'wrong-signature' });
    await signedDespite(vault);
    expect(statuses()).toEqual([200, 200]);
    expect(logs.some((line) => line.includes('does not verify'))).toBe(true);
  });

  test('a vault that keeps answering wrong signatures fails closed', async () => {
    const vault = provider({ deadlineMs: 600 });
    await vault.listKeys();
    standIn.inject('sign', { kind: 'wrong-signature' }, 1000);
    const err = await rejection(vault.sign(pkh, signInput(message(1))));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/does not verify/);
  });

  test('after a failed signature the readiness probe has the vault sign a probe (no Tezos request): not ready while it signs wrong, ready once it signs right', async () => {
    const vault = provider({ deadlineMs: 600 });
    await vault.listKeys();
    const signs = standIn.authorized('sign').length;
    await vault.probe();
    // nothing failed yet: the probe only reads
    expect(standIn.authorized('sign').length).toBe(signs);
    standIn.inject('sign', { kind: 'malformed-signature' }, 1000);
    expect(isTezsignerError(await rejection(vault.sign(pkh, signInput(message(1)))), 'BACKEND_UNAVAILABLE')).toBe(true);
    const err = await rejection(vault.probe());
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/no secp256k1 signature/);
    standIn.clearFaults();
    const before = standIn.authorized('sign').length;
    await vault.probe();
    expect(standIn.authorized('sign').length).toBe(before + 1);
    // the fault is cleared: the next probe reads only
    await vault.probe();
    expect(standIn.authorized('sign').length).toBe(before + 1);
  });

  test('a vault that keeps failing fails closed within the deadline', async () => {
    const vault = provider({ deadlineMs: 600 });
    await vault.listKeys();
    standIn.inject('sign', { kind: 'status', status: 500 }, 1000);
    const err = await rejection(vault.sign(pkh, signInput(message(1))));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/500.*deadline of 600 ms/);
    expect(statuses().length).toBeGreaterThan(1);
  });

  test('a refusal (key disabled since listing) fails closed without retrying', async () => {
    const vault = provider();
    await vault.listKeys();
    key.enabled = false;
    const err = await rejection(vault.sign(pkh, signInput(message(1))));
    expect(isTezsignerError(err, 'BACKEND_UNAVAILABLE') && err.message).toMatch(/403/);
    expect(statuses()).toEqual([403]);
  });
});
