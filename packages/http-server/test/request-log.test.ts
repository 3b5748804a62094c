import { InMemorySigner } from '@taquito/signer';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { keyVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, call, keyVector, signOver, startTestSigner, type TestSigner } from './support/test-signer.js';

const AUTHORIZED = keyVector('ed25519-2');
let signer: TestSigner;
beforeAll(async () => {
  signer = await startTestSigner({ authorizedKeys: [AUTHORIZED.public_key] });
});
afterAll(() => signer.close());

const block = tenderbakeBlock(13_000_000, 2);
let authentication: string;

test('one line per request with method, path, key, kind, level, round, outcome, status and latency', async () => {
  authentication = (await new InMemorySigner(AUTHORIZED.secret_key).sign(`040100${ED.public_key_hash_hex}${block}`)).prefixSig;
  const before = signer.logs.length;
  expect((await signOver(signer.url, ED.public_key_hash, block, `?authentication=${authentication}`)).status).toBe(200);
  expect((await signOver(signer.url, ED.public_key_hash, block, `?authentication=${authentication}`)).status).toBe(200);
  expect((await signOver(signer.url, ED.public_key_hash, block)).status).toBe(401);
  expect((await call(`${signer.url}/nowhere`)).status).toBe(404);
  const lines = signer.logs.slice(before);
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatchObject({
    msg: 'request',
    severity: 'info',
    method: 'POST',
    path: `/keys/${ED.public_key_hash}`,
    pkh: ED.public_key_hash,
    kind: 'block',
    level: 13_000_000,
    round: 2,
    outcome: 'signed',
    status: 200,
    ms: expect.any(Number),
  });
  expect(lines[1]).toMatchObject({ outcome: 'repeated', status: 200 });
  expect(lines[2]).toMatchObject({
    severity: 'warn',
    pkh: ED.public_key_hash,
    kind: 'block',
    level: 13_000_000,
    round: 2,
    outcome: 'refused',
    error: 'AUTH_REQUIRED',
    status: 401,
  });
  expect(lines[3]).toMatchObject({ method: 'GET', path: '/nowhere', outcome: 'refused', error: 'NOT_FOUND', status: 404 });
});

test('a refusal by the watermark (409) says which kind, level and round was refused', async () => {
  const lower = tenderbakeBlock(12_999_999, 0);
  const auth = (await new InMemorySigner(AUTHORIZED.secret_key).sign(`040100${ED.public_key_hash_hex}${lower}`)).prefixSig;
  const before = signer.logs.length;
  expect((await signOver(signer.url, ED.public_key_hash, lower, `?authentication=${auth}`)).status).toBe(409);
  expect((await signOver(signer.url, ED.public_key_hash, '11zz')).status).toBe(400);
  const [refused, malformed] = signer.logs.slice(before);
  expect(refused).toMatchObject({
    severity: 'warn',
    pkh: ED.public_key_hash,
    kind: 'block',
    level: 12_999_999,
    round: 0,
    outcome: 'refused',
    error: 'WATERMARK_REFUSED',
    status: 409,
  });
  // bytes that do not parse have no kind to tell; the refusal says why
  expect(malformed).toMatchObject({ outcome: 'refused', status: 400 });
  expect(malformed).not.toHaveProperty('kind');
});

test('the log never holds a secret key, the request bytes or the authentication signature', () => {
  const raw = signer.rawLogs();
  expect(raw).not.toBe('');
  for (const key of keyVectors()) {
    expect(raw).not.toContain(key.secret_key);
    expect(raw).not.toContain(key.secret_key_hex);
  }
  expect(raw).not.toContain(block);
  expect(raw).not.toContain(authentication);
});

test('each line is a JSON object whose keys appear once (the Tezos level does not shadow the log severity)', () => {
  const lines = signer.rawLogs().split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const keys = [...line.matchAll(/"([a-z_]+)":/gi)].map((match) => match[1]);
    expect(new Set(keys).size, line).toBe(keys.length);
  }
});
