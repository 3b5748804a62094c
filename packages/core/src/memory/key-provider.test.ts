import { inspect } from 'node:util';
import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { hexToBytes } from '../encoding/hex.js';
import { MemoryKeyProvider } from './key-provider.js';
import { decodeSecretKey } from '../encoding/secret-key.js';

interface SignatureVector {
  key: string;
  bytes_hex: string;
  blake2b_256_hex: string;
  raw_signature_hex: string;
}

const keys = keyVectors();
const signatures = loadVectors<{ signatures: SignatureVector[]; bls_proofs_of_possession: { key: string; proof: string }[] }>('signatures');
const provider = () => new MemoryKeyProvider(keys.map((k) => decodeSecretKey(k.secret_key)));

describe('MemoryKeyProvider', () => {
  it('lists every key with its address and public key', async () => {
    const listed = await provider().listKeys();
    expect(listed.map(({ pkh, curve, publicKey }) => ({ pkh, curve, publicKey }))).toEqual(
      keys.map((k) => ({ pkh: k.public_key_hash, curve: k.curve, publicKey: k.public_key })),
    );
  });

  it('declares every curve and proof of possession', () => {
    const p = provider();
    expect(p.capabilities).toEqual({ curves: ['ed25519', 'secp256k1', 'p256', 'bls12_381'], proofOfPossession: true });
  });

  it('gives the vector signatures of Ed25519 and BLS keys', async () => {
    const p = provider();
    for (const v of signatures.signatures.filter((s) => s.key.startsWith('ed25519') || s.key.startsWith('bls'))) {
      const pkh = keys.find((k) => k.name === v.key)?.public_key_hash ?? '';
      const raw = await p.sign(pkh, { bytes: hexToBytes(v.bytes_hex), digest: hexToBytes(v.blake2b_256_hex) });
      expect(Buffer.from(raw).toString('hex'), `${v.key} ${v.bytes_hex.slice(0, 8)}`).toBe(v.raw_signature_hex);
    }
  });

  it('gives the vector proofs of possession, and NOT_SUPPORTED for other curves', async () => {
    const p = provider();
    for (const v of signatures.bls_proofs_of_possession) {
      const pkh = keys.find((k) => k.name === v.key)?.public_key_hash ?? '';
      const proof = await p.proveProofOfPossession(pkh);
      expect(Buffer.from(proof).toString('hex')).toBe(Buffer.from(decodeBase58Proof(v.proof)).toString('hex'));
    }
    await expect(p.proveProofOfPossession(keys[0]?.public_key_hash ?? '')).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('KEY_NOT_FOUND for a key it does not hold; getKey answers undefined', async () => {
    const p = new MemoryKeyProvider([]);
    expect(await p.getKey('tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si')).toBeUndefined();
    await expect(p.sign('tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', { bytes: new Uint8Array([1]), digest: new Uint8Array(32) })).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('keeps its own copy of the secret and never shows it', async () => {
    const vector = keys[0];
    if (vector === undefined) throw new Error('no key vectors');
    const sk = decodeSecretKey(vector.secret_key);
    const p = new MemoryKeyProvider([sk]);
    sk.bytes.fill(0);
    const v = signatures.signatures.find((s) => s.key === vector.name) as SignatureVector;
    const raw = await p.sign(vector.public_key_hash, { bytes: hexToBytes(v.bytes_hex), digest: hexToBytes(v.blake2b_256_hex) });
    expect(Buffer.from(raw).toString('hex')).toBe(v.raw_signature_hex);
    const shown = `${inspect(p, { depth: 10, showHidden: true })} ${JSON.stringify(p)} ${JSON.stringify(await p.listKeys())}`;
    expect(shown).not.toContain(vector.secret_key_hex);
    expect(shown).not.toContain(vector.secret_key);
  });
});

// The proof vectors are b58 BLsig; their 96 bytes follow the 4-byte BLsig prefix.
function decodeBase58Proof(text: string): Uint8Array {
  return bs58check.decode(text).subarray(4);
}
