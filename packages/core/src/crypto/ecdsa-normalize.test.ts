import { describe, expect, it } from 'vitest';
import { normalizeEcdsaSignature } from './ecdsa-normalize.js';
import { bytesToHex, hexToBytes } from '../encoding/hex.js';
import { decodePublicKey } from '../encoding/public-key.js';
import { verifySignature } from '../signing/sign-and-verify.js';
import { loadVectors, type LowSVector } from '../../../../test-support/vectors.js';
import { thrownMessage } from '../../../../test-support/errors.js';


const { low_s: lowS, signatures } = loadVectors<{ low_s: LowSVector[]; signatures: { bytes_hex: string; blake2b_256_hex: string }[] }>('signatures');

// ASN.1 DER of (r, s), as PKCS#11 HSMs and OpenSSL return it, written out here by hand so the
// input does not come from the code under test.
function der(rs: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = [...bytes.subarray(i)];
    const body = (trimmed[0] ?? 0) >= 0x80 ? [0, ...trimmed] : trimmed;
    return [0x02, body.length, ...body];
  };
  const seq = [...integer(rs.subarray(0, 32)), ...integer(rs.subarray(32))];
  return Uint8Array.from([0x30, seq.length, ...seq]);
}

const invalid = (run: () => unknown) => thrownMessage('INVALID_ENCODING', run);

describe('ECDSA low-S normalization', () => {
  it('has a vector for each ECDSA curve', () => {
    expect(lowS.map((v) => v.curve).sort()).toEqual(['p256', 'secp256k1']);
  });

  it.each(lowS)('$curve: maps the high-S twin to the low one and keeps the low one', (v) => {
    expect(bytesToHex(normalizeEcdsaSignature(v.curve, hexToBytes(v.high_s_raw_hex)))).toBe(v.low_s_raw_hex);
    expect(bytesToHex(normalizeEcdsaSignature(v.curve, hexToBytes(v.low_s_raw_hex)))).toBe(v.low_s_raw_hex);
  });

  it.each(lowS)('$curve: reads DER, high or low S, to the low r‖s', (v) => {
    expect(bytesToHex(normalizeEcdsaSignature(v.curve, der(hexToBytes(v.high_s_raw_hex))))).toBe(v.low_s_raw_hex);
    expect(bytesToHex(normalizeEcdsaSignature(v.curve, der(hexToBytes(v.low_s_raw_hex))))).toBe(v.low_s_raw_hex);
  });

  it.each(lowS)('$curve: verification accepts the low-S signature and rejects its high-S twin (as octez does)', (v) => {
    const request = signatures.find((s) => s.blake2b_256_hex === v.blake2b_256_hex);
    if (request === undefined) throw new Error('no request bytes with that digest in signatures.json');
    const { curve, bytes: publicKey } = decodePublicKey(v.public_key);
    expect(curve).toBe(v.curve);
    const bytes = hexToBytes(request.bytes_hex);
    expect(verifySignature(curve, publicKey, bytes, hexToBytes(v.low_s_raw_hex))).toBe(true);
    expect(verifySignature(curve, publicKey, bytes, hexToBytes(v.high_s_raw_hex))).toBe(false);
  });

  it.each(lowS)('$curve: low and high S add up to the group order', (v) => {
    const s = (hex: string) => BigInt('0x' + hex.slice(64));
    expect(s(v.low_s_raw_hex) + s(v.high_s_raw_hex)).toBe(BigInt('0x' + v.order_hex));
    expect(s(v.low_s_raw_hex) <= BigInt('0x' + v.order_hex) / 2n).toBe(true);
  });

  it.each([
    ['too short', '11'.repeat(63), /got 63 bytes/],
    ['r = 0', '00'.repeat(32) + '11'.repeat(32), /got 64 bytes/],
    ['s = n', '11'.repeat(32) + 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', /got 64 bytes/],
    ['broken DER', '3045022100', /got 5 bytes/],
    ['empty', '', /got 0 bytes/],
  ])('refuses a malformed signature: %s', (_what, hex, message) => {
    expect(invalid(() => normalizeEcdsaSignature('secp256k1', hexToBytes(hex)))).toMatch(message);
  });
});
