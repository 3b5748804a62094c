import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import { b58cDecode, b58cEncode } from './base58.js';
import { bytesToHex, hexToBytes } from './hex.js';
import type { PrefixName } from './prefixes.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { thrownMessage } from '../../../../test-support/errors.js';

interface SignatureVector {
  key: string;
  signature: string;
  generic_signature: string;
  raw_signature_hex: string;
}

const invalid = (run: () => unknown) => thrownMessage('INVALID_ENCODING', run);

const SECRET_PREFIX = { ed25519: 'edsk', secp256k1: 'spsk', p256: 'p2sk', bls12_381: 'BLsk' } as const;
const PUBLIC_PREFIX = { ed25519: 'edpk', secp256k1: 'sppk', p256: 'p2pk', bls12_381: 'BLpk' } as const;
const ADDRESS_PREFIX = { ed25519: 'tz1', secp256k1: 'tz2', p256: 'tz3', bls12_381: 'tz4' } as const;
const SIGNATURE_PREFIX = { ed25519: 'edsig', secp256k1: 'spsig1', p256: 'p2sig', bls12_381: 'BLsig' } as const;

describe('base58check', () => {
  it('round-trips every key, public key and address of keys.json to its listed hex', () => {
    for (const key of keyVectors()) {
      const cases: [string, PrefixName, string][] = [
        [key.secret_key, SECRET_PREFIX[key.curve], key.secret_key_hex],
        [key.public_key, PUBLIC_PREFIX[key.curve], key.public_key_hex],
        [key.public_key_hash, ADDRESS_PREFIX[key.curve], key.public_key_hash_hex],
      ];
      for (const [text, prefix, hex] of cases) {
        const decoded = b58cDecode(text, prefix);
        expect(decoded.prefix).toBe(prefix);
        expect(bytesToHex(decoded.payload)).toBe(hex);
        expect(b58cEncode(hexToBytes(hex), prefix)).toBe(text);
      }
    }
  });

  it('round-trips every signature of signatures.json, curve-specific and generic (BLS ones too)', () => {
    const { signatures } = loadVectors<{ signatures: SignatureVector[] }>('signatures');
    const curveOf = new Map(keyVectors().map((k) => [k.name, k.curve]));
    for (const v of signatures) {
      const curve = curveOf.get(v.key);
      if (curve === undefined) throw new Error(`no key ${v.key} in keys.json`);
      const raw = hexToBytes(v.raw_signature_hex);
      expect(b58cEncode(raw, SIGNATURE_PREFIX[curve])).toBe(v.signature);
      expect(b58cEncode(raw, 'sig')).toBe(v.generic_signature);
      expect(bytesToHex(b58cDecode(v.generic_signature, 'sig').payload)).toBe(v.raw_signature_hex);
      expect(b58cDecode(v.signature, [SIGNATURE_PREFIX[curve], 'sig']).prefix).toBe(SIGNATURE_PREFIX[curve]);
    }
  });

  it('refuses a text whose checksum is wrong', () => {
    const text = keyVectors()[0]?.public_key_hash ?? '';
    const last = text.at(-1) === 'a' ? 'b' : 'a';
    expect(invalid(() => b58cDecode(text.slice(0, -1) + last, 'tz1'))).toMatch(/bad base58 checksum/);
  });

  it('refuses characters outside the base58 alphabet', () => {
    expect(invalid(() => b58cDecode('tz1O0Il', 'tz1'))).toMatch(/not base58/);
  });

  it('names the prefix it got when it is not one expected', () => {
    const edpk = keyVectors()[0]?.public_key ?? '';
    expect(invalid(() => b58cDecode(edpk, ['tz1', 'tz2', 'tz3', 'tz4'], 'a tz1/tz2/tz3/tz4 address'))).toBe(
      'expected a tz1/tz2/tz3/tz4 address, got prefix edpk',
    );
    expect(invalid(() => b58cDecode(edpk, ['sppk', 'p2pk']))).toBe('expected sppk/p2pk, got prefix edpk');
  });

  it('says so when the prefix is unknown', () => {
    const text = bs58check.encode(Uint8Array.from([200, 201, 202, ...new Uint8Array(32)]));
    expect(invalid(() => b58cDecode(text, 'edpk'))).toBe('expected edpk, got an unknown prefix');
  });

  it('refuses a payload of the wrong length for its prefix', () => {
    const sppkOf32 = bs58check.encode(Uint8Array.from([3, 254, 226, 86, ...new Uint8Array(32).fill(2)]));
    expect(invalid(() => b58cDecode(sppkOf32, 'sppk'))).toBe('sppk payload must be 33 bytes, got 32');
    const sigOf65 = bs58check.encode(Uint8Array.from([4, 130, 43, ...new Uint8Array(65)]));
    expect(invalid(() => b58cDecode(sigOf65, 'sig'))).toBe('sig payload must be 64 or 96 bytes, got 65');
    expect(invalid(() => b58cEncode(new Uint8Array(19), 'tz1'))).toBe('tz1 payload must be 20 bytes, got 19');
  });

  it('refuses empty and oversized text before decoding it', () => {
    expect(invalid(() => b58cDecode('', 'tz1'))).toMatch(/empty/);
    expect(invalid(() => b58cDecode('1'.repeat(100_000), 'tz1'))).toMatch(/100000 characters/);
  });

  it('never repeats the text it was given (it may be a secret key)', () => {
    const secret = keyVectors()[0]?.secret_key ?? '';
    const messages = [
      invalid(() => b58cDecode(secret, 'edpk')),
      invalid(() => b58cDecode(secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a'), 'edsk')),
    ];
    for (const message of messages) expect(message).not.toContain(secret.slice(4, 20));
  });
});
