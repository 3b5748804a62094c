import { verifySignature } from '@taquito/utils';
import { encodeSignature, hexToBytes } from '@tezsigner/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { blsVersionVectors, loadVectors } from '../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from './support/consensus-bytes.js';
import { BL, ED, P2, SP, call, signOver, startTestSigner, type TestSigner } from './support/test-signer.js';

const proofVectors = loadVectors<{ bls_proofs_of_possession: { public_key_hash: string; proof: string }[] }>('signatures')
  .bls_proofs_of_possession;

describe('a signer with listing and proofs of possession allowed', () => {
  let signer: TestSigner;
  beforeAll(async () => {
    signer = await startTestSigner({ allowListKnownKeys: true, allowProvePossession: true });
  });
  afterAll(() => signer.close());

  test('GET /keys/<tz4> answers the BLpk', async () => {
    const answer = await call(`${signer.url}/keys/${BL.public_key_hash}`);
    expect(answer).toMatchObject({ status: 200, body: { public_key: BL.public_key } });
    expect(answer.contentType).toMatch(/^application\/json/);
  });

  test('POST /keys/<tz4> signs a tz4 attestation and block; Taquito verifies the BLsig', async () => {
    for (const bytes of [
      attestation('preattestation', 8_000_000, 0, { tz4: true }),
      attestation('attestation', 8_000_000, 0, { tz4: true }),
      tenderbakeBlock(8_000_000, 0),
    ]) {
      const answer = await signOver(signer.url, BL.public_key_hash, bytes);
      expect(answer.status).toBe(200);
      const { signature } = answer.body as { signature: string };
      expect(Object.keys(answer.body as object)).toEqual(['signature']);
      expect(signature.startsWith('BLsig')).toBe(true);
      expect(verifySignature(bytes, BL.public_key, signature)).toBe(true);
    }
  });

  test('GET /authorized_keys answers {} when no authentication is required', async () => {
    expect(await call(`${signer.url}/authorized_keys`)).toMatchObject({ status: 200, body: {} });
  });

  test('GET /known_keys lists every address', async () => {
    const answer = await call(`${signer.url}/known_keys`);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body as object)).toEqual(['known_keys']);
    expect([...(answer.body as { known_keys: string[] }).known_keys].sort()).toEqual(
      [ED, SP, P2, BL].map((key) => key.public_key_hash).sort(),
    );
  });

  test('GET /bls_prove_possession/<tz4> answers the proof of the vectors', async () => {
    const expected = proofVectors.find((proof) => proof.public_key_hash === BL.public_key_hash);
    const answer = await call(`${signer.url}/bls_prove_possession/${BL.public_key_hash}`);
    expect(answer).toMatchObject({ status: 200, body: { bls_prove_possession: expected?.proof } });
    expect(verifySignature(BL.public_key_hex, BL.public_key, (answer.body as { bls_prove_possession: string }).bls_prove_possession, undefined, true)).toBe(true);
  });

  test('bls_pk naming the key itself is accepted, another public key is refused (400)', async () => {
    const own = await call(`${signer.url}/bls_prove_possession/${BL.public_key_hash}?bls_pk=${BL.public_key}`);
    expect(own.status).toBe(200);
    const other = await call(`${signer.url}/bls_prove_possession/${BL.public_key_hash}?bls_pk=BLpk1yYKcTmPFUUsp9aK3z2dKbYfZdiMSeTRa5eTb7Ck8HtdoAW1uU76R2nxhLEGRiC1nKBiPsyN`);
    expect(other).toMatchObject({ status: 400, body: { error: { code: 'NOT_SUPPORTED' } } });
  });

  test('a proof of possession of a tz1 key is 400 NOT_SUPPORTED', async () => {
    expect(await call(`${signer.url}/bls_prove_possession/${ED.public_key_hash}`)).toMatchObject({
      status: 400,
      body: { error: { code: 'NOT_SUPPORTED' } },
    });
  });
});

describe('a signer with the defaults', () => {
  let signer: TestSigner;
  beforeAll(async () => {
    signer = await startTestSigner();
  });
  afterAll(() => signer.close());

  const errorOf = (code: string) => ({ error: { code, message: expect.any(String) } });

  test('GET /known_keys is refused unless allowed', async () => {
    expect(await call(`${signer.url}/known_keys`)).toMatchObject({ status: 403, body: errorOf('POLICY_DENIED') });
  });

  test('GET /bls_prove_possession is refused unless allowed', async () => {
    expect(await call(`${signer.url}/bls_prove_possession/${BL.public_key_hash}`)).toMatchObject({
      status: 403,
      body: errorOf('POLICY_DENIED'),
    });
  });

  test('a content type with charset=utf-8 is JSON too', async () => {
    const bytes = tenderbakeBlock(8_900_000, 0);
    const answer = await call(`${signer.url}/keys/${ED.public_key_hash}`, { body: JSON.stringify(bytes), contentType: 'Application/JSON; charset="UTF-8"' });
    expect(answer.status).toBe(200);
    expect(verifySignature(bytes, ED.public_key, (answer.body as { signature: string }).signature)).toBe(true);
  });

  test('octez clients may add ?version=', async () => {
    const bytes = tenderbakeBlock(9_000_000, 0);
    const answer = await signOver(signer.url, ED.public_key_hash, bytes, '?version=1');
    expect(answer.status).toBe(200);
    expect(verifySignature(bytes, ED.public_key, (answer.body as { signature: string }).signature)).toBe(true);
  });

  test('?version= picks the tz4 scheme: 1 augmented, 2 and 3 proof of possession; 0 and unknown versions are 400', async () => {
    const vector = blsVersionVectors().find((v) => v.public_key_hash === BL.public_key_hash);
    if (vector === undefined) throw new Error('no version vector for the tz4 test key');
    const bytes = vector.bytes_hex;
    for (const query of ['?version=0', '?version=4', '?version=x']) {
      expect(await signOver(signer.url, BL.public_key_hash, bytes, query)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    const first = await signOver(signer.url, BL.public_key_hash, bytes, '?version=1');
    expect(first.status).toBe(200);
    const { signature } = first.body as { signature: string };
    expect(signature).toBe(encodeSignature('bls12_381', hexToBytes(vector.version_1_raw_signature_hex)));
    expect(await signOver(signer.url, BL.public_key_hash, bytes, '?version=1')).toMatchObject({ status: 200, body: { signature } });
    // the mark holds a version-1 signature: a version-2 client would reject it, and a second one is not made
    expect(await signOver(signer.url, BL.public_key_hash, bytes, '?version=2')).toMatchObject({ status: 409, body: { error: { code: 'WATERMARK_REFUSED' } } });
    const fresh = tenderbakeBlock(9_500_000, 0);
    const v3 = await signOver(signer.url, BL.public_key_hash, fresh, '?version=3');
    expect(verifySignature(fresh, BL.public_key, (v3.body as { signature: string }).signature)).toBe(true);
  });

  describe.each<[string, () => Promise<{ status: number; body: unknown }>, number, string]>([
    ['malformed JSON', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '"11aa' }), 400, 'BAD_REQUEST'],
    ['a JSON number', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '17' }), 400, 'BAD_REQUEST'],
    ['a JSON object', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '{"data":"11"}' }), 400, 'BAD_REQUEST'],
    ['an empty body', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '' }), 400, 'BAD_REQUEST'],
    ['an empty hex string', () => signOver(signer.url, ED.public_key_hash, ''), 400, 'BAD_REQUEST'],
    ['odd-length hex', () => signOver(signer.url, ED.public_key_hash, tenderbakeBlock(1, 0) + 'a'), 400, 'INVALID_ENCODING'],
    ['non-hex characters', () => signOver(signer.url, ED.public_key_hash, 'zz' + tenderbakeBlock(1, 0)), 400, 'INVALID_ENCODING'],
    ['a truncated block', () => signOver(signer.url, ED.public_key_hash, tenderbakeBlock(1, 0).slice(0, 60)), 400, 'BAD_REQUEST'],
    ['text/plain', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '"11"', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a charset other than UTF-8', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '"11"', contentType: 'application/json; charset=latin1' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a compressed body', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '"11"', headers: { 'content-encoding': 'gzip' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body of spaces', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '   ' }), 400, 'BAD_REQUEST'],
    ['no content type', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { body: '"11"', contentType: null }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a huge body', () => signOver(signer.url, ED.public_key_hash, '11'.repeat(200_000)), 413, 'PAYLOAD_TOO_LARGE'],
    ['a path that is not valid percent-encoding', () => call(`${signer.url}/keys/tz1%ZZ`), 400, 'BAD_REQUEST'],
    ['a path that is not an address', () => signOver(signer.url, 'tz1notanaddress', tenderbakeBlock(1, 0)), 400, 'INVALID_ENCODING'],
    ['an unknown key (sign)', () => signOver(signer.url, 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt', tenderbakeBlock(1, 0)), 404, 'KEY_NOT_FOUND'],
    ['an unknown key (public key)', () => call(`${signer.url}/keys/tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt`), 404, 'KEY_NOT_FOUND'],
    ['a magic byte outside the allowlist', () => signOver(signer.url, ED.public_key_hash, '05010000000568656c6c6f'), 403, 'POLICY_DENIED'],
    ['an unknown path', () => call(`${signer.url}/deterministic_nonce/${ED.public_key_hash}`), 404, 'NOT_FOUND'],
    ['the root', () => call(`${signer.url}/`), 404, 'NOT_FOUND'],
    ['a wrong method', () => call(`${signer.url}/keys/${ED.public_key_hash}`, { method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED'],
    ['POST on /authorized_keys', () => call(`${signer.url}/authorized_keys`, { body: '"11"' }), 405, 'METHOD_NOT_ALLOWED'],
    ['a repeated authentication parameter', () => signOver(signer.url, ED.public_key_hash, tenderbakeBlock(1, 0), '?authentication=a&authentication=b'), 400, 'BAD_REQUEST'],
  ])('%s', (_what, send, status, code) => {
    test(`is a ${status} ${code} JSON error, and the signer keeps serving`, async () => {
      const answer = await send();
      expect(answer).toMatchObject({ status, body: errorOf(code) });
      expect(await call(`${signer.url}/keys/${ED.public_key_hash}`)).toMatchObject({ status: 200, body: { public_key: ED.public_key } });
    });
  });
});
