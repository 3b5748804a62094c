import { describe, expect, it } from 'vitest';
import { blake2b256 } from './blake2b.js';
import { CURVES, type Curve } from '../curve.js';
import { decodePublicKey } from '../encoding/public-key.js';
import { decodeSecretKey } from '../encoding/secret-key.js';
import { decodeSignature } from '../encoding/signature.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { keyVectors, loadVectors, type LowSVector } from '../../../../test-support/vectors.js';
import type { KeyVerifier } from './curve-crypto.js';
import { chooseCrypto, CRYPTO_ENV, cryptoImplementations, NOBLE, PROCESS_CRYPTO } from './implementations.js';
import { p256WithTables } from './p256.js';
import { bothOf, FAST } from '../../../../test-support/crypto-implementations.js';

interface SignatureVector {
  key: string;
  request: string;
  bytes_hex: string;
  blake2b_256_hex: string;
  raw_signature_hex: string;
}
const { signatures, low_s } = loadVectors<{ signatures: SignatureVector[]; low_s: LowSVector[] }>('signatures');
const keys = keyVectors();
const keyOf = (name: string) => {
  const k = keys.find((x) => x.name === name);
  if (k === undefined) throw new Error(`no key ${name}`);
  return k;
};
/** What a curve signs: the digest (Ed25519, ECDSA), the bytes themselves (BLS). */
const messageOf = (curve: Curve, v: SignatureVector) => hexToBytes(curve === 'bls12_381' ? v.bytes_hex : v.blake2b_256_hex);
const flip = (bytes: Uint8Array, index: number) => {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] ?? 0) ^ 1;
  return out;
};

describe.each(CURVES.flatMap((curve) => bothOf(curve).map(([name, crypto]) => [curve, name, crypto] as const)))('%s on %s', (curve, _name, crypto) => {
  const vectors = signatures.filter((v) => keyOf(v.key).curve === curve);
  // one verifier per key, as the signer keeps them (a P-256 key's table takes a while to build)
  const verifiers = new Map<string, KeyVerifier>();
  const verifierOf = (publicKeyHex: string): KeyVerifier => {
    const made = verifiers.get(publicKeyHex) ?? crypto.verifier(hexToBytes(publicKeyHex));
    verifiers.set(publicKeyHex, made);
    return made;
  };

  it('reproduces every signature vector byte for byte (RFC 6979 for ECDSA), and verifies it', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors) {
      const k = keyOf(v.key);
      const message = messageOf(curve, v);
      expect([v.key, v.request, bytesToHex(crypto.sign(decodeSecretKey(k.secret_key).bytes, message))]).toEqual([v.key, v.request, v.raw_signature_hex]);
      expect(verifierOf(k.public_key_hex)(message, hexToBytes(v.raw_signature_hex))).toBe(true);
    }
  });

  it('refuses every vector for other bytes, under another key, and spoiled', () => {
    // BLS pairings cost tens of ms on noble: a few vectors suffice there
    for (const v of curve === 'bls12_381' ? vectors.slice(0, 2) : vectors) {
      const k = keyOf(v.key);
      const other = keys.find((x) => x.curve === curve && x.name !== k.name);
      if (other === undefined) throw new Error(`need a second ${curve} key`);
      const message = messageOf(curve, v);
      const signature = hexToBytes(v.raw_signature_hex);
      const verify = verifierOf(k.public_key_hex);
      expect(verify(flip(message, message.length - 1), signature)).toBe(false);
      expect(verify(message, flip(signature, signature.length - 1))).toBe(false);
      expect(verify(message, signature.subarray(1))).toBe(false);
      expect(verifierOf(other.public_key_hex)(message, signature)).toBe(false);
    }
  });
});

describe.each((['secp256k1', 'p256'] as const).flatMap((curve) => bothOf(curve).map(([name, crypto]) => [curve, name, crypto] as const)))('%s on %s', (curve, _name, crypto) => {
  it('accepts each low-S vector and refuses its high-S twin', () => {
    const pairs = low_s.filter((l) => l.curve === curve);
    expect(pairs.length).toBeGreaterThanOrEqual(1);
    for (const l of pairs) {
      const verify = crypto.verifier(decodePublicKey(l.public_key).bytes);
      const digest = hexToBytes(l.blake2b_256_hex);
      expect([verify(digest, hexToBytes(l.low_s_raw_hex)), verify(digest, hexToBytes(l.high_s_raw_hex))]).toEqual([true, false]);
    }
  });
});

describe('the authentication vector', () => {
  const v = loadVectors<{ authorized_key: string; signed_bytes_hex: string; authentication: string }>('authentication');
  const { curve, bytes: publicKey } = decodePublicKey(v.authorized_key);
  it.each(bothOf(curve))(`verifies on %s (${curve})`, (_name, crypto) => {
    const bytes = hexToBytes(v.signed_bytes_hex);
    const message = curve === 'bls12_381' ? bytes : blake2b256(bytes);
    expect(crypto.verifier(publicKey)(message, decodeSignature(v.authentication).bytes)).toBe(true);
  });
});

describe('choosing the implementations', () => {
  const native = chooseCrypto(undefined);

  it('takes the fastest one of every curve where all load', () => {
    expect(native.implementations.map((i) => [i.curve, i.implementation, i.fallback])).toEqual([
      ['ed25519', 'libsodium', undefined],
      ['secp256k1', 'libsecp256k1', undefined],
      ['p256', FAST.p256.implementation, undefined],
      ['bls12_381', 'blst', undefined],
    ]);
    expect(CURVES.map((curve) => native.byCurve[curve].implementation)).toEqual(CURVES.map((curve) => FAST[curve].implementation));
    expect([native.forced, native.warning]).toEqual([false, undefined]);
    expect(chooseCrypto('native').implementations).toEqual(native.implementations);
  });

  it(`takes noble on every curve when ${CRYPTO_ENV}=noble`, () => {
    const forced = chooseCrypto('noble');
    expect(CURVES.map((curve) => forced.byCurve[curve])).toEqual(CURVES.map((curve) => NOBLE[curve]));
    expect(forced.implementations.every((i) => i.implementation === 'noble' && i.fallback === undefined)).toBe(true);
    expect(forced.forced).toBe(true);
  });

  it('falls back to noble (for P-256: noble with tables) where a native module is missing, and says why', () => {
    const missing = { unavailable: 'secp256k1/bindings did not load: No native build was found for platform=plan9' };
    const set = chooseCrypto(undefined, {
      ed25519: () => ({ crypto: FAST.ed25519 }),
      secp256k1: () => missing,
      p256: () => ({ unavailable: 'bcrypto/lib/native/p256.js did not load', instead: p256WithTables }),
      bls12_381: () => ({ unavailable: 'no prebuilt @chainsafe/blst for this platform' }),
    });
    expect(set.byCurve.p256).toBe(p256WithTables);
    expect(set.byCurve.secp256k1).toBe(NOBLE.secp256k1);
    expect(set.byCurve.bls12_381).toBe(NOBLE.bls12_381);
    expect(set.byCurve.ed25519).toBe(FAST.ed25519);
    expect(set.implementations.filter((i) => i.fallback !== undefined)).toEqual([
      { curve: 'secp256k1', implementation: 'noble', fallback: missing.unavailable },
      { curve: 'p256', implementation: p256WithTables.implementation, fallback: 'bcrypto/lib/native/p256.js did not load' },
      { curve: 'bls12_381', implementation: 'noble', fallback: 'no prebuilt @chainsafe/blst for this platform' },
    ]);
  });

  it('warns of a switch value it does not know, and ignores it', () => {
    const set = chooseCrypto('openssl');
    expect(set.warning).toBe(`${CRYPTO_ENV}=openssl is neither native nor noble: ignored`);
    expect(set.implementations).toEqual(native.implementations);
  });

  it(`is what this process runs on: ${process.env[CRYPTO_ENV] === 'noble' ? 'noble, forced' : 'native'}`, () => {
    // the suite runs once as it is and its crypto tests once more with the switch set (package.json)
    const forced = process.env[CRYPTO_ENV] === 'noble';
    const expected = forced ? NOBLE : FAST;
    expect(CURVES.map((curve) => PROCESS_CRYPTO.byCurve[curve].implementation)).toEqual(CURVES.map((curve) => expected[curve].implementation));
    expect(cryptoImplementations()).toEqual({
      implementations: CURVES.map((curve) => ({ curve, implementation: expected[curve].implementation })),
      forced,
    });
  });
});
