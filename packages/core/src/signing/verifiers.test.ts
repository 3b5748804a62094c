import { bls12_381 } from '@noble/curves/bls12-381.js';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Curve } from '../curve.js';
import type { CurveCrypto } from '../crypto/curve-crypto.js';
import { chooseCrypto, NOBLE } from '../crypto/implementations.js';
import { isTezsignerError } from '../errors.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { PublicKeyVerifiers } from './verifiers.js';
import { thrownMessage } from '../../../../test-support/errors.js';
import { keyVectors, loadVectors, type KeyVector } from '../../../../test-support/vectors.js';
import { flip } from '../../../../test-support/signature-crafting.js';

interface SignatureVector {
  key: string;
  request: string;
  bytes_hex: string;
  raw_signature_hex: string;
}
const { signatures, low_s } = loadVectors<{ signatures: SignatureVector[]; low_s: { curve: string; order_hex: string }[] }>('signatures');
const keyOf = (name: string): KeyVector => {
  const k = keyVectors().find((x) => x.name === name);
  if (k === undefined) throw new Error(`no key ${name}`);
  return k;
};
const curveOf = (v: SignatureVector) => keyOf(v.key).curve;
const digestOf = (bytes: Uint8Array) => blake2b(bytes, { dkLen: 32 });
const expectInvalidEncoding = (run: () => unknown) => expect(thrownMessage('INVALID_ENCODING', run)).toMatch(/^(edpk|sppk|p2pk|BLpk) /);

// the fastest implementations, chosen as the process chooses them but whatever the environment switch says
const { byCurve: fastest } = chooseCrypto(undefined);

describe('ECDSA verifiers give noble’s verdicts on the key as given', () => {
  const ECDSA = { secp256k1, p256 };
  // the reference: noble itself, on the compressed key, the bytes hashed by @noble/hashes
  const reference = (curve: 'secp256k1' | 'p256', pk: Uint8Array, bytes: Uint8Array, signature: Uint8Array) => {
    try {
      return ECDSA[curve].verify(signature, digestOf(bytes), pk, { lowS: true, prehash: false, format: 'compact' });
    } catch {
      return false;
    }
  };
  const order = (curve: string) => BigInt('0x' + (low_s.find((l) => l.curve === curve)?.order_hex ?? '0'));
  const word = (n: bigint) => hexToBytes(n.toString(16).padStart(64, '0'));
  const ecdsaVectors = signatures.filter((v) => curveOf(v) === 'secp256k1' || curveOf(v) === 'p256');

  it.each(ecdsaVectors.map((v) => [`${v.key} ${v.request}`, v] as const))('%s: accepted, and every spoiled form refused, as by noble', (_name, v) => {
    const k = keyOf(v.key);
    const curve = k.curve as 'secp256k1' | 'p256';
    const pk = hexToBytes(k.public_key_hex);
    const other = hexToBytes(keyVectors().find((x) => x.curve === curve && x.name !== k.name)?.public_key_hex ?? '');
    const bytes = hexToBytes(v.bytes_hex);
    const signature = hexToBytes(v.raw_signature_hex);
    const n = order(curve);
    const r = BigInt('0x' + v.raw_signature_hex.slice(0, 64));
    const s = BigInt('0x' + v.raw_signature_hex.slice(64));
    const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [
      ['as signed', pk, bytes, signature],
      ['high-S twin', pk, bytes, Uint8Array.of(...word(r), ...word(n - s))],
      ['r = n', pk, bytes, Uint8Array.of(...word(n), ...word(s))],
      ['s = n', pk, bytes, Uint8Array.of(...word(r), ...word(n))],
      ['s = 0', pk, bytes, Uint8Array.of(...word(r), ...word(0n))],
      ['r flipped', pk, bytes, flip(signature, 31, 1)],
      ['s flipped', pk, bytes, flip(signature, 63, 1)],
      ['bytes changed', pk, flip(bytes, bytes.length - 1, 1), signature],
      ['other key', other, bytes, signature],
    ];
    const verifiers = new PublicKeyVerifiers(fastest);
    const verdicts = cases.map(([name, key, b, sig]) => [name, verifiers.for(curve, key)(b, sig)]);
    expect(verdicts).toEqual(cases.map(([name, key, b, sig]) => [name, reference(curve, key, b, sig)]));
    expect(verdicts.filter(([, ok]) => ok)).toEqual([['as signed', true]]);
  });

  it.each(['secp256k1', 'p256'] as const)('%s: agrees with noble on random keys and bytes, signed then spoiled anywhere', (curve) => {
    const verifiers = new PublicKeyVerifiers(fastest);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: order(curve) - 1n }), fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (scalar, bytes, at, mask) => {
        const sk = word(scalar);
        const pk = ECDSA[curve].getPublicKey(sk, true);
        const signature = ECDSA[curve].sign(digestOf(bytes), sk, { lowS: true, prehash: false }).toBytes('compact');
        expect(verifiers.for(curve, pk)(bytes, signature)).toBe(true);
        const where = at % (64 + bytes.length);
        const [sig, b] = where < 64 ? [flip(signature, where, mask), bytes] : [signature, flip(bytes, where - 64, mask)];
        expect(verifiers.for(curve, pk)(b, sig)).toBe(reference(curve, pk, b, sig));
        expect(verifiers.for(curve, pk)(b, sig)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });
});

describe('Ed25519 verifiers hash the bytes with BLAKE2b-256 and verify the digest', () => {
  const edVectors = signatures.filter((v) => curveOf(v) === 'ed25519');
  const verifiersOf = { fastest: new PublicKeyVerifiers(fastest), noble: new PublicKeyVerifiers(NOBLE) };

  it.each(Object.entries(verifiersOf))('%s: accepts the vectors, refuses them for other bytes and malformed signatures', (_name, verifiers) => {
    expect(edVectors.length).toBeGreaterThanOrEqual(10);
    for (const v of edVectors) {
      const verify = verifiers.for('ed25519', hexToBytes(keyOf(v.key).public_key_hex));
      const bytes = hexToBytes(v.bytes_hex);
      const signature = hexToBytes(v.raw_signature_hex);
      expect(verify(bytes, signature)).toBe(true);
      expect(verify(digestOf(bytes), signature)).toBe(false);
      expect(verify(flip(bytes, 0, 1), signature)).toBe(false);
      for (const malformed of [signature.subarray(0, 63), Uint8Array.of(...signature, 0), new Uint8Array()]) {
        expect(verify(bytes, malformed)).toBe(false);
      }
    }
  });

  it('verifies on the implementation it is given, handing it the BLAKE2b-256 digest of the bytes', () => {
    const seen: string[] = [];
    const recording: CurveCrypto = {
      implementation: 'recording',
      sign: () => new Uint8Array(64),
      verifier: (publicKey) => (message, signature) => {
        seen.push(`${bytesToHex(publicKey)} ${bytesToHex(message)} ${bytesToHex(signature)}`);
        return signature[0] === 1;
      },
    };
    const verifiers = new PublicKeyVerifiers({ ...NOBLE, ed25519: recording });
    const v = edVectors[0];
    if (v === undefined) throw new Error('no vector');
    const pk = hexToBytes(keyOf(v.key).public_key_hex);
    const bytes = hexToBytes(v.bytes_hex);
    const verify = verifiers.for('ed25519', pk);
    expect([verify(bytes, Uint8Array.of(1, 2)), verify(bytes, Uint8Array.of(0))]).toEqual([true, false]);
    expect(seen).toEqual([`${bytesToHex(pk)} ${bytesToHex(digestOf(bytes))} 0102`, `${bytesToHex(pk)} ${bytesToHex(digestOf(bytes))} 00`]);
  });
});

describe('BLS verifiers (the key decoded once) give noble’s verdicts on the key as given', () => {
  const DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
  const { longSignatures } = bls12_381;
  const reference = (pk: Uint8Array, bytes: Uint8Array, signature: Uint8Array) => {
    try {
      return longSignatures.verify(longSignatures.Signature.fromBytes(signature), longSignatures.hash(bytes, DST), pk);
    } catch {
      return false;
    }
  };

  it('accepts a vector, refuses it for other bytes and under the other key, as noble does', () => {
    const v = signatures.find((x) => curveOf(x) === 'bls12_381');
    if (v === undefined) throw new Error('no BLS vector');
    const pk = hexToBytes(keyOf(v.key).public_key_hex);
    const other = hexToBytes(keyVectors().find((x) => x.curve === 'bls12_381' && x.name !== v.key)?.public_key_hex ?? '');
    const bytes = hexToBytes(v.bytes_hex);
    const signature = hexToBytes(v.raw_signature_hex);
    const verifiers = new PublicKeyVerifiers(fastest);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [pk, bytes, signature],
      [pk, flip(bytes, 0, 1), signature],
      [other, bytes, signature],
    ];
    expect(cases.map(([key, b, sig]) => verifiers.for('bls12_381', key)(b, sig))).toEqual([true, false, false]);
    expect(cases.map(([key, b, sig]) => reference(key, b, sig))).toEqual([true, false, false]);
    expect(verifiers.for('bls12_381', pk)(bytes, signature.subarray(0, 95))).toBe(false);
  });
});

describe('the verifier set', () => {
  const keys = keyVectors();
  const vector = (curve: Curve) => {
    const v = signatures.find((x) => curveOf(x) === curve && curve !== 'bls12_381');
    if (v === undefined) throw new Error(`no ${curve} vector`);
    return { pk: hexToBytes(keyOf(v.key).public_key_hex), bytes: hexToBytes(v.bytes_hex), signature: hexToBytes(v.raw_signature_hex) };
  };

  it.each(['secp256k1', 'p256'] as const)('%s: a remembered valid signature never vouches for other bytes, another key or a changed signature', (curve) => {
    const { pk, bytes, signature } = vector(curve);
    const verifiers = new PublicKeyVerifiers(fastest);
    const verify = verifiers.for(curve, pk);
    expect([verify(bytes, signature), verify(bytes, signature)]).toEqual([true, true]);
    expect(verify(flip(bytes, 0, 1), signature)).toBe(false);
    expect(verify(bytes, flip(signature, 63, 1))).toBe(false);
    const other = keys.find((k) => k.curve === curve && k.public_key_hex !== bytesToHex(pk));
    if (other === undefined) throw new Error(`no second ${curve} key`);
    expect(verifiers.for(curve, hexToBytes(other.public_key_hex))(bytes, signature)).toBe(false);
  });

  it('makes a key’s verifier once and hands it out again', () => {
    const verifiers = new PublicKeyVerifiers(fastest);
    const { pk } = vector('ed25519');
    const first = verifiers.for('ed25519', pk);
    expect(verifiers.for('ed25519', Uint8Array.from(pk))).toBe(first);
    expect(verifiers.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the oldest first, and a dropped key still verifies', () => {
    const verifiers = new PublicKeyVerifiers(fastest, 3);
    const nonBls = keys.filter((k) => k.curve !== 'bls12_381');
    expect(nonBls.length).toBeGreaterThanOrEqual(5);
    const made = nonBls.map((k) => verifiers.for(k.curve, hexToBytes(k.public_key_hex)));
    expect(verifiers.size).toBe(3);
    const [first] = nonBls;
    if (first === undefined) throw new Error('no key');
    const again = verifiers.for(first.curve, hexToBytes(first.public_key_hex));
    expect(again).not.toBe(made[0]);
    const { pk, bytes, signature } = vector(first.curve);
    expect(pk).toEqual(hexToBytes(first.public_key_hex));
    expect(again(bytes, signature)).toBe(true);
    expect(verifiers.size).toBe(3);
  });

  it.each([['fastest', fastest], ['noble', NOBLE]] as const)('keeps its own copy of the key (%s): the caller reusing its array changes nothing', (_name, set) => {
    for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) {
      const verifiers = new PublicKeyVerifiers(set);
      const { pk, bytes, signature } = vector(curve);
      const other = keys.find((k) => k.curve === curve && k.public_key_hex !== bytesToHex(pk));
      if (other === undefined) throw new Error(`need a second ${curve} key`);
      const reused = Uint8Array.from(pk);
      const verify = verifiers.for(curve, reused);
      reused.set(hexToBytes(other.public_key_hex));
      expect(verify(bytes, signature)).toBe(true);
      expect(verifiers.for(curve, pk)).toBe(verify);
      expect(verifiers.for(curve, reused)(bytes, signature)).toBe(false);
    }
  });

  it('refuses a malformed key with INVALID_ENCODING every time and keeps nothing for it', () => {
    const verifiers = new PublicKeyVerifiers(fastest);
    const bad: [Curve, Uint8Array][] = [
      ['ed25519', new Uint8Array(31)],
      ['ed25519', hexToBytes(ED25519_TORSION_SUBGROUP[0] ?? '')], // the identity
      ['secp256k1', hexToBytes('02' + 'ff'.repeat(32))],
      ['p256', hexToBytes('04' + '11'.repeat(64))],
      ['bls12_381', new Uint8Array(48)],
    ];
    for (const [curve, pk] of bad) {
      expectInvalidEncoding(() => verifiers.for(curve, pk));
      expectInvalidEncoding(() => verifiers.for(curve, pk));
    }
    expect(verifiers.size).toBe(0);
  });

  it('keeps keys of different curves apart even for equal bytes', () => {
    const verifiers = new PublicKeyVerifiers(fastest);
    const { pk, bytes, signature } = vector('secp256k1');
    expect(verifiers.for('secp256k1', pk)(bytes, signature)).toBe(true);
    // the same 33 bytes read as a p256 key: not a p256 point, or a point that did not sign this
    let asP256: boolean | 'invalid';
    try {
      asP256 = verifiers.for('p256', pk)(bytes, signature);
    } catch (err) {
      if (!isTezsignerError(err, 'INVALID_ENCODING')) throw err;
      asP256 = 'invalid';
    }
    expect(asP256).not.toBe(true);
  });
});
