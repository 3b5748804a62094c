import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLS_SIGNATURE_DST } from './bls-scheme.js';
import { bytesToHex } from '../encoding/hex.js';
import { nobleBls } from './bls12-381.js';
import { FAST } from '../../../../test-support/crypto-implementations.js';
import { flip } from '../../../../test-support/signature-crafting.js';

const { longSignatures } = bls12_381;
const native = FAST.bls12_381;

// noble costs some 15 ms to sign and 20 ms to verify: a pool of keys, each with its verifiers made once
const pool = Array.from({ length: 4 }, (_, i) => {
  // 32 bytes read little-endian, as octez stores the scalar, reduced below r
  const sk = Uint8Array.from(sha256(Uint8Array.of(i)));
  sk[31] = (sk[31] ?? 0) & 0x0f;
  const pk = longSignatures.getPublicKey(BigInt(`0x${bytesToHex(Uint8Array.from(sk).reverse())}`)).toBytes(true);
  return { sk, pk, verify: { native: native.verifier(pk), noble: nobleBls.verifier(pk) } };
});

const first = () => {
  const [key] = pool;
  if (key === undefined) throw new Error('no key');
  return key;
};

describe('BLS12-381: blst and noble', () => {
  it('loads blst', () => {
    expect(native.implementation).toBe('blst');
  });

  it('sign every message to the same bytes, under octez’s signature DST (not noble’s default)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ maxLength: 200 }), ({ sk }, message) => {
        expect(bytesToHex(native.sign(sk, message))).toBe(bytesToHex(nobleBls.sign(sk, message)));
      }),
      { numRuns: 60 },
    );
    const { sk, pk } = first();
    const message = Uint8Array.of(0x13, 1, 2, 3);
    const underDefaultDst = longSignatures.Signature.toBytes(longSignatures.sign(longSignatures.hash(message), BigInt(`0x${bytesToHex(Uint8Array.from(sk).reverse())}`)));
    expect(bytesToHex(native.sign(sk, message))).not.toBe(bytesToHex(underDefaultDst));
    expect(native.verifier(pk)(message, underDefaultDst)).toBe(false);
    expect(BLS_SIGNATURE_DST).toBe('BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_');
  });

  it('refuse alike honest signatures spoiled: a flipped bit anywhere (flags included) or another message', () => {
    fc.assert(
      // bits 0–767 are the signature's, 768 and on the message's first byte
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(97 * 8 - 1), ({ sk, verify }, message, bit) => {
        const signature = native.sign(sk, message);
        expect(verify.native(message, signature)).toBe(true);
        const [m, sig] = bit < 768 ? [message, flip(signature, bit >> 3, 1 << (bit & 7))] : [flip(message, 0, 1 << (bit & 7)), signature];
        expect([verify.native(m, sig), verify.noble(m, sig)]).toEqual([false, false]);
      }),
      { numRuns: 150 },
    );
  });

  it('refuse alike the non-canonical encodings of a valid signature that noble’s decoding alone would read', () => {
    const { sk, verify } = first();
    const message = Uint8Array.of(0x11, 9);
    const signature = native.sign(sk, message);
    expect([verify.native(message, signature), verify.noble(message, signature)]).toEqual([true, true]);
    // the compression flag cleared: noble reads the same point from it
    const uncompressedFlag = flip(signature, 0, 0x80);
    expect(longSignatures.Signature.fromBytes(uncompressedFlag).equals(longSignatures.Signature.fromBytes(signature))).toBe(true);
    // x.c0 + p: noble takes x mod p, the same point again
    const x0 = BigInt(`0x${bytesToHex(signature.subarray(48))}`) + bls12_381.fields.Fp.ORDER;
    const withX0PlusP = Uint8Array.of(...signature.subarray(0, 48), ...Buffer.from(x0.toString(16).padStart(96, '0'), 'hex'));
    expect(longSignatures.Signature.fromBytes(withX0PlusP).equals(longSignatures.Signature.fromBytes(signature))).toBe(true);
    for (const encoding of [uncompressedFlag, withX0PlusP]) {
      expect([verify.native(message, encoding), verify.noble(message, encoding)]).toEqual([false, false]);
    }
  });

  it('give the same verdict on random 96 bytes, flags set as a compressed point or not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pool), fc.uint8Array({ minLength: 96, maxLength: 96 }), fc.boolean(), ({ verify }, bytes, compressed) => {
        const signature = Uint8Array.from(bytes);
        if (compressed) signature[0] = ((signature[0] ?? 0) & 0x3f) | 0x80;
        const message = Uint8Array.of(1);
        expect(verify.native(message, signature)).toBe(verify.noble(message, signature));
      }),
      { numRuns: 1500 },
    );
  });

  it('refuse the identity (point at infinity) as a signature', () => {
    const identity = new Uint8Array(96);
    identity[0] = 0xc0;
    const { verify } = first();
    expect([verify.native(Uint8Array.of(1), identity), verify.noble(Uint8Array.of(1), identity)]).toEqual([false, false]);
  });
});
