import { InMemorySigner } from '@taquito/signer';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, SP, call, keyVector, signOver, startTestSigner, type TestSigner } from './support/test-signer.js';

interface AuthenticationVector {
  authorized_key: string;
  authorized_key_hash: string;
  signing_key_hash: string;
  data_hex: string;
  authentication: string;
}
const vector = loadVectors<AuthenticationVector>('authentication');
const AUTHORIZED = keyVector('ed25519-2');

/** What an octez client signs to authenticate (protocol notes §1), laid out here by hand. */
function authenticationHex(pkhTagAndHashHex: string, dataHex: string): string {
  return `0401${pkhTagAndHashHex}${dataHex}`;
}
const TZ1_TAG = '00';
const TZ2_TAG = '01';

let signer: TestSigner;
beforeAll(async () => {
  if (vector.authorized_key !== AUTHORIZED.public_key) throw new Error('the authentication vector uses another key');
  signer = await startTestSigner({ authorizedKeys: [vector.authorized_key] });
});
afterAll(() => signer.close());

test('GET /authorized_keys lists the address of each authorized key, as octez does', async () => {
  expect(await call(`${signer.url}/authorized_keys`)).toMatchObject({
    status: 200,
    body: { authorized_keys: [vector.authorized_key_hash] },
  });
});

test('a request without authentication is 401 AUTH_REQUIRED', async () => {
  expect(vector.signing_key_hash).toBe(SP.public_key_hash);
  expect(await signOver(signer.url, SP.public_key_hash, vector.data_hex)).toMatchObject({
    status: 401,
    body: { error: { code: 'AUTH_REQUIRED' } },
  });
});

test('the authentication of the vector is accepted and the request signed', async () => {
  const answer = await signOver(signer.url, SP.public_key_hash, vector.data_hex, `?authentication=${vector.authentication}`);
  expect(answer.status).toBe(200);
  expect(verifySignature(vector.data_hex, SP.public_key, (answer.body as { signature: string }).signature)).toBe(true);
});

test('an authentication made by Taquito for another request is accepted', async () => {
  const data = tenderbakeBlock(11_000_000, 0);
  const client = new InMemorySigner(AUTHORIZED.secret_key);
  const { prefixSig } = await client.sign(authenticationHex(TZ1_TAG + ED.public_key_hash_hex, data));
  const answer = await signOver(signer.url, ED.public_key_hash, data, `?authentication=${prefixSig}`);
  expect(answer.status).toBe(200);
});

test.each([
  ['signed by a key that is not authorized', 12_000_001, async (data: string) => (await new InMemorySigner(ED.secret_key).sign(authenticationHex(TZ1_TAG + ED.public_key_hash_hex, data))).prefixSig],
  ['made for other bytes', 12_000_002, async () => vector.authentication],
  ['made for another key', 12_000_003, async (data: string) => (await new InMemorySigner(AUTHORIZED.secret_key).sign(authenticationHex(TZ2_TAG + SP.public_key_hash_hex, data))).prefixSig],
  ['not a signature', 12_000_004, async () => 'edsigNOTBASE58'],
])('an authentication %s is 403 AUTH_INVALID and nothing is signed', async (_what, level, authenticate) => {
  const data = tenderbakeBlock(level, 0);
  const answer = await signOver(signer.url, ED.public_key_hash, data, `?authentication=${await authenticate(data)}`);
  expect(answer).toMatchObject({ status: 403, body: { error: { code: 'AUTH_INVALID' } } });
  // the refused request left no watermark: the same block is still signable
  const { prefixSig } = await new InMemorySigner(AUTHORIZED.secret_key).sign(authenticationHex(TZ1_TAG + ED.public_key_hash_hex, data));
  expect((await signOver(signer.url, ED.public_key_hash, data, `?authentication=${prefixSig}`)).status).toBe(200);
});

test('GET /keys/<pkh> needs no authentication, as in octez', async () => {
  expect(await call(`${signer.url}/keys/${SP.public_key_hash}`)).toMatchObject({ status: 200, body: { public_key: SP.public_key } });
});

test('an authorized key that is not a public key is refused when the server starts', async () => {
  await expect(startTestSigner({ authorizedKeys: [AUTHORIZED.public_key_hash] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
});
