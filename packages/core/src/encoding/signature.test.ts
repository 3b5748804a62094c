import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '../errors.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { decodeSignature, encodeSignature } from './signature.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';

interface SignatureVector {
  key: string;
  signature: string;
  generic_signature: string;
  raw_signature_hex: string;
}

const { signatures } = loadVectors<{ signatures: SignatureVector[] }>('signatures');
const curveOf = new Map(keyVectors().map((k) => [k.name, k.curve]));

describe('signatures', () => {
  it('encode every raw signature of signatures.json to its curve-specific b58 and decode it back', () => {
    for (const v of signatures) {
      const curve = curveOf.get(v.key);
      if (curve === undefined) throw new Error(`no key ${v.key}`);
      expect(encodeSignature(curve, hexToBytes(v.raw_signature_hex))).toBe(v.signature);
      const decoded = decodeSignature(v.signature);
      expect(decoded.curve).toBe(curve);
      expect(bytesToHex(decoded.bytes)).toBe(v.raw_signature_hex);
    }
  });

  it('decode every generic sig… (64 and 96 bytes) without a curve', () => {
    for (const v of signatures) {
      const decoded = decodeSignature(v.generic_signature);
      expect(decoded.curve).toBeUndefined();
      expect(bytesToHex(decoded.bytes)).toBe(v.raw_signature_hex);
    }
  });

  it('refuses a signature of the wrong length for its curve', () => {
    expect(() => encodeSignature('bls12_381', new Uint8Array(64))).toThrow('BLsig payload must be 96 bytes, got 64');
    expect(() => encodeSignature('secp256k1', new Uint8Array(65))).toThrow('spsig1 payload must be 64 bytes, got 65');
    const edsigOf63 = bs58check.encode(Uint8Array.from([9, 245, 205, 134, 18, ...new Uint8Array(63)]));
    expect(() => decodeSignature(edsigOf63)).toThrow('edsig payload must be 64 bytes, got 63');
  });

  it('refuses what is not a signature, naming it', () => {
    try {
      decodeSignature(keyVectors()[0]?.public_key ?? '');
      expect.unreachable();
    } catch (err) {
      expect(isTezsignerError(err, 'INVALID_ENCODING')).toBe(true);
      expect((err as Error).message).toBe('expected an edsig/spsig1/p2sig/BLsig/sig signature, got prefix edpk');
    }
  });
});
