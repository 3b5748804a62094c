import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { verifySignature as taquitoVerify } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { b58cEncode } from '../encoding/base58.js';
import { blake2b256 } from '../crypto/blake2b.js';
import { isTezsignerError } from '../errors.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { decodePublicKey } from '../encoding/public-key.js';
import { decodeSecretKey, type SecretKey } from '../encoding/secret-key.js';
import { blsProveProofOfPossession, signWithSecretKey, verifyBlsProofOfPossession, verifyDigestSignature, verifySignature } from './sign-and-verify.js';
import { decodeSignature, encodeSignature } from '../encoding/signature.js';
import { keyVectors, loadVectors, type KeyVector } from '../../../../test-support/vectors.js';

interface SignatureVector {
  key: string;
  request: string;
  bytes_hex: string;
  blake2b_256_hex: string;
  signature: string;
  generic_signature: string;
  raw_signature_hex: string;
}
interface ProofVector {
  key: string;
  public_key: string;
  proof: string;
}
const vectors = loadVectors<{
  signatures: SignatureVector[];
  low_s: { curve: string; order_hex: string }[];
  bls_proofs_of_possession: ProofVector[];
}>('signatures');
const keys = new Map(keyVectors().map((k) => [k.name, k]));
const key = (name: string): KeyVector => {
  const found = keys.get(name);
  if (found === undefined) throw new Error(`no key ${name} in keys.json`);
  return found;
};
const named = (v: SignatureVector) => `${v.key} ${v.request}`;
/** The key of a vector, another key of its curve, and the vector's raw signature. */
const signerAndOther = (v: SignatureVector) => {
  const k = key(v.key);
  const other = keyVectors().find((x) => x.curve === k.curve && x.name !== k.name);
  if (other === undefined) throw new Error(`need a second ${k.curve} key`);
  return { k, other, signature: decodeSignature(v.signature).bytes };
};
const input = (v: SignatureVector) => ({ bytes: hexToBytes(v.bytes_hex), digest: hexToBytes(v.blake2b_256_hex) });
const halfOrder = (curve: string) => BigInt('0x' + (vectors.low_s.find((l) => l.curve === curve)?.order_hex ?? '0')) / 2n;
const sOf = (signature: Uint8Array) => BigInt('0x' + bytesToHex(signature.subarray(32)));

const deterministic = vectors.signatures.filter((v) => ['ed25519', 'bls12_381'].includes(key(v.key).curve));
const ecdsa = vectors.signatures.filter((v) => ['secp256k1', 'p256'].includes(key(v.key).curve));

describe('signing', () => {
  it('has Ed25519, BLS and ECDSA vectors', () => {
    expect(deterministic.length).toBeGreaterThanOrEqual(10);
    expect(ecdsa.length).toBeGreaterThanOrEqual(10);
  });

  it.each(deterministic.map((v) => [named(v), v] as const))('reproduces %s byte for byte', (_name, v) => {
    const sk = decodeSecretKey(key(v.key).secret_key);
    const signature = signWithSecretKey(sk, input(v));
    expect(bytesToHex(signature)).toBe(v.raw_signature_hex);
    expect(encodeSignature(sk.curve, signature)).toBe(v.signature);
    expect(b58cEncode(signature, 'sig')).toBe(v.generic_signature);
  });

  it.each(ecdsa.map((v) => [named(v), v] as const))('signs %s low-S, and Taquito verifies it', (_name, v) => {
    const k = key(v.key);
    const sk = decodeSecretKey(k.secret_key);
    const signature = signWithSecretKey(sk, input(v));
    expect(signature).toHaveLength(64);
    expect(sOf(signature) <= halfOrder(k.curve)).toBe(true);
    expect(verifySignature(k.curve, hexToBytes(k.public_key_hex), input(v).bytes, signature)).toBe(true);
    expect(taquitoVerify(v.bytes_hex, k.public_key, encodeSignature(k.curve, signature))).toBe(true);
  });

  it('keeps every ECDSA signature low-S over many messages', () => {
    for (const k of keyVectors().filter((x) => x.curve === 'secp256k1' || x.curve === 'p256')) {
      const sk = decodeSecretKey(k.secret_key);
      for (let i = 0; i < 24; i++) {
        const digest = new Uint8Array(32).fill(i);
        expect(sOf(signWithSecretKey(sk, { bytes: new Uint8Array(), digest })) <= halfOrder(k.curve)).toBe(true);
      }
    }
  });

  it('refuses a digest that is not 32 bytes', () => {
    const sk = decodeSecretKey(key('ed25519-1').secret_key);
    expect(() => signWithSecretKey(sk, { bytes: new Uint8Array(3), digest: new Uint8Array(31) })).toThrow(/32 bytes, got 31/);
  });
});

describe('verification', () => {
  it.each(vectors.signatures.map((v) => [named(v), v] as const))('accepts %s and refuses it for other bytes or another key', (_name, v) => {
    const { k, other, signature } = signerAndOther(v);
    const bytes = hexToBytes(v.bytes_hex);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    expect(verifySignature(k.curve, hexToBytes(k.public_key_hex), bytes, signature)).toBe(true);
    // a BLS pairing check costs ~100 ms in JS: the refusals of one request per BLS key suffice
    if (k.curve === 'bls12_381' && v.request !== vectors.signatures[0]?.request) return;
    expect(verifySignature(k.curve, hexToBytes(k.public_key_hex), tampered, signature)).toBe(false);
    expect(verifySignature(k.curve, hexToBytes(other.public_key_hex), bytes, signature)).toBe(false);
  });

  it('accepts the authentication signature of authentication.json', () => {
    const v = loadVectors<{ authorized_key: string; signed_bytes_hex: string; authentication: string }>('authentication');
    const { curve, bytes: publicKey } = decodePublicKey(v.authorized_key);
    expect(verifySignature(curve, publicKey, hexToBytes(v.signed_bytes_hex), decodeSignature(v.authentication).bytes)).toBe(true);
  });

  it('says false for malformed signatures of every curve, never throws', () => {
    for (const k of keyVectors()) {
      const pk = hexToBytes(k.public_key_hex);
      for (const signature of [new Uint8Array(), new Uint8Array(63), new Uint8Array(64), new Uint8Array(96).fill(0xff), new Uint8Array(97)]) {
        expect(verifySignature(k.curve, pk, Uint8Array.of(1, 2, 3), signature)).toBe(false);
      }
    }
  });

  it('refuses an Ed25519 signature whose R has a small-order component, which noble’s own verify accepts', () => {
    // noble checks [8](R + kA − SB) = 0; octez and OpenSSL R = SB − kA exactly (and so does the noble
    // fallback, past noble's verify); an honest R has no such component
    const seed = new Uint8Array(32).fill(11);
    const { scalar, pointBytes: pk } = ed25519.utils.getExtendedPublicKey(seed);
    const bytes = Uint8Array.of(0x11, 0, 0, 0, 1);
    const digest = blake2b256(bytes);
    const nonce = 1234567n;
    const r = ed25519.Point.BASE.multiply(nonce).add(ed25519.Point.fromBytes(hexToBytes(ED25519_TORSION_SUBGROUP[1] ?? ''))).toBytes();
    const k = ed25519.Point.Fn.create(bytesToNumberLE(sha512(Uint8Array.of(...r, ...pk, ...digest))));
    const signature = Uint8Array.of(...r, ...numberToBytesLE(ed25519.Point.Fn.create(nonce + k * scalar), 32));
    expect(ed25519.verify(signature, digest, pk, { zip215: false })).toBe(true);
    expect(verifySignature('ed25519', pk, bytes, signature)).toBe(false);
    expect(verifySignature('ed25519', pk, bytes, ed25519.sign(digest, seed))).toBe(true);
  });

  it('refuses an invalid public key with INVALID_ENCODING', () => {
    try {
      verifySignature('secp256k1', hexToBytes('02' + 'ff'.repeat(32)), new Uint8Array(1), new Uint8Array(64));
      expect.unreachable();
    } catch (err) {
      expect(isTezsignerError(err, 'INVALID_ENCODING')).toBe(true);
    }
  });
});

describe('verification from a digest alone', () => {
  it.each(vectors.signatures.map((v) => [named(v), v] as const))('%s: accepted from its digest (Ed25519, ECDSA), refused for another digest or key; tz4 cannot be told', (_name, v) => {
    const { k, other, signature } = signerAndOther(v);
    const digest = hexToBytes(v.blake2b_256_hex);
    const verify = (publicKeyHex: string, at: Uint8Array) => verifyDigestSignature(k.curve, hexToBytes(publicKeyHex), at, signature);
    if (k.curve === 'bls12_381') {
      expect(verify(k.public_key_hex, digest)).toBeUndefined();
      return;
    }
    expect(verify(k.public_key_hex, digest)).toBe(true);
    expect(verify(k.public_key_hex, blake2b256(digest))).toBe(false);
    expect(verify(other.public_key_hex, digest)).toBe(false);
  });

  it('refuses a digest that is not 32 bytes', () => {
    const k = key('ed25519-1');
    expect(() => verifyDigestSignature('ed25519', hexToBytes(k.public_key_hex), new Uint8Array(31), new Uint8Array(64))).toThrow(/32 bytes/);
  });
});

describe('BLS proofs of possession', () => {
  it.each(vectors.bls_proofs_of_possession.map((v) => [v.key, v] as const))('reproduces the proof of %s exactly', (_name, v) => {
    const k = key(v.key);
    expect(k.public_key).toBe(v.public_key);
    const proof = blsProveProofOfPossession(decodeSecretKey(k.secret_key));
    expect(encodeSignature('bls12_381', proof)).toBe(v.proof);
    expect(verifyBlsProofOfPossession(hexToBytes(k.public_key_hex), proof)).toBe(true);
  });

  it('refuses another key’s proof, and keeps proofs and signatures apart (different DSTs)', () => {
    const [a, b] = vectors.bls_proofs_of_possession;
    if (a === undefined || b === undefined) throw new Error('need two proofs');
    const pkA = decodePublicKey(a.public_key).bytes;
    const proofB = decodeSignature(b.proof).bytes;
    const proofA = decodeSignature(a.proof).bytes;
    expect(verifyBlsProofOfPossession(pkA, proofB)).toBe(false);
    expect(verifySignature('bls12_381', pkA, pkA, proofA)).toBe(false);
    const signatureOfPk = signWithSecretKey(decodeSecretKey(key(a.key).secret_key), { bytes: pkA, digest: new Uint8Array(32) });
    expect(verifyBlsProofOfPossession(pkA, signatureOfPk)).toBe(false);
  });

  it('is only for BLS keys', () => {
    const sk: SecretKey = decodeSecretKey(key('ed25519-1').secret_key);
    try {
      blsProveProofOfPossession(sk);
      expect.unreachable();
    } catch (err) {
      expect(isTezsignerError(err, 'NOT_SUPPORTED')).toBe(true);
    }
  });
});

describe('sign and verify any message', () => {
  it.each(['ed25519-1', 'secp256k1-1', 'p256-1'])('%s: Taquito verifies our signature of random bytes, and so do we', (name) => {
    const k = key(name);
    const sk = decodeSecretKey(k.secret_key);
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (bytes) => {
      const signature = signWithSecretKey(sk, { bytes, digest: blake2b256(bytes) });
      expect(verifySignature(k.curve, hexToBytes(k.public_key_hex), bytes, signature)).toBe(true);
      expect(taquitoVerify(bytesToHex(bytes), k.public_key, encodeSignature(k.curve, signature))).toBe(true);
    }), { numRuns: 25 });
  });
});
