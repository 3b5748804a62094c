import { RemoteSigner } from '@taquito/remote-signer';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadVectors } from '../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from './support/consensus-bytes.js';
import { ED, P2, SP, startTestSigner, type TestSigner } from './support/test-signer.js';

interface SignatureVector {
  key: string;
  request: string;
  bytes_hex: string;
  signature: string;
}
const signatureVectors = loadVectors<{ signatures: SignatureVector[] }>('signatures').signatures;
const operations = loadVectors<{ operations: { name: string; bytes_hex: string }[] }>('operations').operations;

let signer: TestSigner;

beforeAll(async () => {
  // generic operations (0x03) allowed too, as for a signer that also signs a baker's transfers
  signer = await startTestSigner({ policy: { allowedMagicBytes: [0x03, 0x11, 0x12, 0x13] } });
});
afterAll(() => signer.close());

// Taquito's RemoteSigner speaks the octez protocol and checks, by itself, that the public key
// hashes to the pkh and that every signature verifies under it.
describe.each([
  ['tz1', ED],
  ['tz2', SP],
  ['tz3', P2],
])('Taquito RemoteSigner with a %s key', (_kind, key) => {
  test('reads the public key', async () => {
    expect(await new RemoteSigner(key.public_key_hash, signer.url).publicKey()).toBe(key.public_key);
  });

  test('signs blocks and attestations, each verified by Taquito', async () => {
    const remote = new RemoteSigner(key.public_key_hash, signer.url);
    for (const bytes of [tenderbakeBlock(7_000_000, 0), tenderbakeBlock(7_000_001, 3), attestation('preattestation', 7_000_001, 3), attestation('attestation', 7_000_001, 3)]) {
      const signed = await remote.sign(bytes);
      expect(signed.prefixSig.slice(0, 5)).toBe({ ed25519: 'edsig', secp256k1: 'spsig', p256: 'p2sig', bls12_381: 'BLsig' }[key.curve]);
      expect(verifySignature(bytes, key.public_key, signed.prefixSig)).toBe(true);
    }
  });

  test('signs a forged transaction (magic byte 0x03)', async () => {
    const transaction = operations.find((operation) => operation.name === 'transaction');
    if (transaction === undefined) throw new Error('no transaction vector');
    const signed = await new RemoteSigner(key.public_key_hash, signer.url).sign(transaction.bytes_hex);
    expect(verifySignature(transaction.bytes_hex, key.public_key, signed.prefixSig)).toBe(true);
  });
});

test('Ed25519 signatures over HTTP are exactly the vectors (Ed25519 is deterministic)', async () => {
  const fresh = await startTestSigner({ keys: [ED] });
  try {
    const remote = new RemoteSigner(ED.public_key_hash, fresh.url);
    for (const request of ['block level 5000000 round 0', 'preattestation', 'attestation']) {
      const vector = signatureVectors.find((v) => v.key === ED.name && v.request === request);
      if (vector === undefined) throw new Error(`no signature vector for ${request}`);
      expect((await remote.sign(vector.bytes_hex)).prefixSig).toBe(vector.signature);
    }
  } finally {
    await fresh.close();
  }
});

test('Taquito reports an unknown key as not found', async () => {
  const unknown = new RemoteSigner('tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt', signer.url);
  await expect(unknown.publicKey()).rejects.toMatchObject({ name: 'PublicKeyNotFoundError' });
});
