import { bls12_381 } from '@noble/curves/bls12-381.js';
import { verifySignature as taquitoVerify } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { bothOf } from '../../../../test-support/crypto-implementations.js';
import { thrownMessage } from '../../../../test-support/errors.js';
import { blsVersionVectors, keyVectors } from '../../../../test-support/vectors.js';
import { BLS_AUG_DST } from '../crypto/bls-scheme.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { decodeSecretKey } from '../encoding/secret-key.js';
import { encodeSignature } from '../encoding/signature.js';
import { MemoryKeyProvider } from '../memory/key-provider.js';
import { MemoryWatermarkStore } from '../memory/watermark-store.js';
import { SignerService } from '../signer-service.js';
import { signWithSecretKey, verifySignature } from './sign-and-verify.js';
import { blsSchemeFor, parseSignatureVersion } from './signature-version.js';

const vectors = blsVersionVectors();
const keyOf = (name: string) => {
  const key = keyVectors().find((k) => k.name === name);
  if (key === undefined) throw new Error(`no key ${name}`);
  return key;
};
const [first] = vectors;
if (first === undefined) throw new Error('no BLS version vectors');

describe('signature versions (octez ?version=)', () => {
  it('reads the versions octez defines and refuses any other', () => {
    expect(['0', '1', '2', '3'].map(parseSignatureVersion)).toEqual([0, 1, 2, 3]);
    for (const bad of ['4', '-1', '1.0', '', 'v2', '0003']) thrownMessage('BAD_REQUEST', () => parseSignatureVersion(bad));
  });

  it('versions choose the BLS scheme only: 1 augmented, 2 and 3 (and none) proof of possession, 0 none', () => {
    expect([1, 2, 3, undefined].map((v) => blsSchemeFor('bls12_381', v as 1 | 2 | 3 | undefined))).toEqual(['aug', 'pop', 'pop', 'pop']);
    expect(thrownMessage('BAD_REQUEST', () => blsSchemeFor('bls12_381', 0))).toMatch(/version 0 has no BLS/);
    for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) expect(blsSchemeFor(curve, 0)).toBeUndefined();
  });
});

describe('tz4 signatures per version, against bls-versions.json', () => {
  for (const vector of vectors) {
    const key = keyOf(vector.key);
    const sk = decodeSecretKey(key.secret_key);
    const publicKey = hexToBytes(key.public_key_hex);
    const bytes = hexToBytes(vector.bytes_hex);
    const input = { bytes, digest: new Uint8Array(32) };

    it(`${vector.key}: version 1 signs pk ‖ bytes under the augmented DST, as the vector`, () => {
      const signature = signWithSecretKey(sk, { ...input, blsScheme: 'aug' });
      expect(bytesToHex(signature)).toBe(vector.version_1_raw_signature_hex);
      expect(verifySignature('bls12_381', publicKey, bytes, signature, 'aug')).toBe(true);
      // the augmented signature is not one of the proof-of-possession scheme, nor the other way round
      expect(verifySignature('bls12_381', publicKey, bytes, signature)).toBe(false);
      expect(verifySignature('bls12_381', publicKey, bytes, hexToBytes(vector.versions_2_and_3_raw_signature_hex), 'aug')).toBe(false);
    });

    it(`${vector.key}: the version-1 vector verifies with noble used directly (augmented DST)`, () => {
      const { longSignatures: L } = bls12_381;
      const message = new Uint8Array([...publicKey, ...bytes]);
      const signature = L.Signature.fromBytes(hexToBytes(vector.version_1_raw_signature_hex));
      expect(L.verify(signature, L.hash(message, BLS_AUG_DST), bls12_381.G1.Point.fromBytes(publicKey))).toBe(true);
    });

    for (const [name, crypto] of bothOf('bls12_381')) {
      it(`${vector.key}: versions 2 and 3 sign the bytes under the proof-of-possession DST on ${name}, as the vector, and Taquito accepts it`, () => {
        const signature = crypto.sign(sk.bytes, bytes);
        expect(bytesToHex(signature)).toBe(vector.versions_2_and_3_raw_signature_hex);
        expect(taquitoVerify(bytes, key.public_key, encodeSignature('bls12_381', signature))).toBe(true);
      });
    }
  }
});

describe('SignerService: the version of a tz4 request', () => {
  const key = keyOf(first.key);
  const bytes = hexToBytes(first.bytes_hex);
  const v1 = encodeSignature('bls12_381', hexToBytes(first.version_1_raw_signature_hex));
  const v23 = encodeSignature('bls12_381', hexToBytes(first.versions_2_and_3_raw_signature_hex));
  const signer = () =>
    new SignerService({ keys: new MemoryKeyProvider([decodeSecretKey(key.secret_key)]), watermarks: new MemoryWatermarkStore() });

  it('signs under the scheme asked for, and the current protocol’s (version 3) when none is', async () => {
    expect((await signer().sign(key.public_key_hash, bytes, { version: 1 })).signature).toBe(v1);
    expect((await signer().sign(key.public_key_hash, bytes, { version: 2 })).signature).toBe(v23);
    expect((await signer().sign(key.public_key_hash, bytes, { version: 3 })).signature).toBe(v23);
    expect((await signer().sign(key.public_key_hash, bytes)).signature).toBe(v23);
  });

  it('refuses version 0 for a tz4 key, before any mark moves', async () => {
    const service = signer();
    await expect(service.sign(key.public_key_hash, bytes, { version: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await service.sign(key.public_key_hash, bytes, { version: 2 })).outcome).toBe('signed');
  });

  it('answers a repeat under the same scheme from the store, and refuses one under the other scheme', async () => {
    const service = signer();
    expect((await service.sign(key.public_key_hash, bytes, { version: 2 })).signature).toBe(v23);
    const repeat = await service.sign(key.public_key_hash, bytes, { version: 3 });
    expect(repeat).toMatchObject({ signature: v23, outcome: 'repeated' });
    await expect(service.sign(key.public_key_hash, bytes, { version: 1 })).rejects.toMatchObject({ code: 'WATERMARK_REFUSED' });

    const augFirst = signer();
    expect((await augFirst.sign(key.public_key_hash, bytes, { version: 1 })).signature).toBe(v1);
    expect(await augFirst.sign(key.public_key_hash, bytes, { version: 1 })).toMatchObject({ signature: v1, outcome: 'repeated' });
    await expect(augFirst.sign(key.public_key_hash, bytes)).rejects.toMatchObject({ code: 'WATERMARK_REFUSED' });
  });

  it('two signers sharing one store, asked the same bytes under both schemes at once: one signature leaves, the other is refused', async () => {
    for (const versions of [
      [1, 2],
      [3, 1],
    ] as const) {
      const watermarks = new MemoryWatermarkStore();
      const keys = new MemoryKeyProvider([decodeSecretKey(key.secret_key)]);
      const [a, b] = [new SignerService({ keys, watermarks }), new SignerService({ keys, watermarks })];
      const outcomes = await Promise.allSettled([a.sign(key.public_key_hash, bytes, { version: versions[0] }), b.sign(key.public_key_hash, bytes, { version: versions[1] })]);
      const signed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.signature] : []));
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { code?: string }).code] : []));
      expect(signed).toHaveLength(1);
      expect(refused).toEqual(['WATERMARK_REFUSED']);
      const stored = await watermarks.list();
      expect(stored.map((entry) => entry.watermark.signature)).toEqual(signed);
    }
  });

  it('signs tz1 alike under every version', async () => {
    const ed = keyOf('ed25519-1');
    const service = new SignerService({ keys: new MemoryKeyProvider([decodeSecretKey(ed.secret_key)]), watermarks: new MemoryWatermarkStore(), policy: { checkHighWatermark: false } });
    const signatures = await Promise.all([0, 1, 2, 3].map(async (version) => (await service.sign(ed.public_key_hash, bytes, { version: version as 0 })).signature));
    expect(new Set(signatures).size).toBe(1);
  });
});
