import bs58check from 'bs58check';
import { describe, expect, it } from 'vitest';
import { CURVES } from '../curve.js';
import { CURVE_PREFIXES, PREFIXES, PREFIX_NAMES, curveOfDecoded, curveOfPrefix, isPrefixName, type PrefixName } from './prefixes.js';

// What each prefix must look like on the wire: leading letters and total length, as listed in
// the comments of octez's src/lib_crypto/base58.ml (e.g. `(* BLsig(142) *)`).
const OCTEZ: Record<PrefixName, [letters: string, textLength: number]> = {
  tz1: ['tz1', 36], tz2: ['tz2', 36], tz3: ['tz3', 36], tz4: ['tz4', 36], KT1: ['KT1', 36],
  edpk: ['edpk', 54], sppk: ['sppk', 55], p2pk: ['p2pk', 55], BLpk: ['BLpk', 76],
  edsk: ['edsk', 54], edsk64: ['edsk', 98], spsk: ['spsk', 54], p2sk: ['p2sk', 54], BLsk: ['BLsk', 54],
  edesk: ['edesk', 88], spesk: ['spesk', 88], p2esk: ['p2esk', 88], BLesk: ['BLesk', 88],
  edsig: ['edsig', 99], spsig1: ['spsig1', 99], p2sig: ['p2sig', 98], BLsig: ['BLsig', 142], sig: ['sig', 96],
  Net: ['Net', 15], B: ['B', 51], o: ['o', 51], P: ['P', 51], vh: ['vh', 52],
  sr1: ['sr1', 36], src1: ['src1', 54], srs1: ['srs1', 54], sh: ['sh', 74],
  // these two from the protocol's own modules: script_expr_hash.ml `expr(54)`, zk_rollup_repr.ml `epx1` of 37
  expr: ['expr', 54], epx1: ['epx1', 37],
};

describe('base58check prefixes', () => {
  it('covers exactly the prefixes whose octez facts we list', () => {
    expect([...PREFIX_NAMES].sort()).toEqual(Object.keys(OCTEZ).sort());
  });

  it.each(Object.entries(OCTEZ) as [PrefixName, [string, number]][])(
    '%s makes text starting with its letters at octez length for the smallest and largest payloads',
    (name, [letters, textLength]) => {
      const { bytes, lengths } = PREFIXES[name];
      const length = lengths[0] ?? 0;
      for (const fill of [0x00, 0xff]) {
        const text = bs58check.encode(Uint8Array.from([...bytes, ...new Uint8Array(length).fill(fill)]));
        expect(text.startsWith(letters)).toBe(true);
        expect(text.length).toBe(textLength);
      }
    },
  );

  it('lets the generic sig prefix carry a 96-byte BLS signature, which Taquito writes as "G4s…"', () => {
    expect(PREFIXES.sig.lengths).toEqual([64, 96]);
  });

  it('maps every curve to its row of the key table and back', () => {
    expect(CURVE_PREFIXES.ed25519).toMatchObject({ address: 'tz1', publicKey: 'edpk', secretKey: 'edsk', encryptedSecretKey: 'edesk', signature: 'edsig', addressTag: 0 });
    expect(CURVE_PREFIXES.secp256k1).toMatchObject({ address: 'tz2', publicKey: 'sppk', secretKey: 'spsk', encryptedSecretKey: 'spesk', signature: 'spsig1', addressTag: 1 });
    expect(CURVE_PREFIXES.p256).toMatchObject({ address: 'tz3', publicKey: 'p2pk', secretKey: 'p2sk', encryptedSecretKey: 'p2esk', signature: 'p2sig', addressTag: 2 });
    expect(CURVE_PREFIXES.bls12_381).toMatchObject({ address: 'tz4', publicKey: 'BLpk', secretKey: 'BLsk', encryptedSecretKey: 'BLesk', signature: 'BLsig', addressTag: 3 });
    for (const curve of CURVES) {
      const row = CURVE_PREFIXES[curve];
      expect(curveOfPrefix(row.address, 'address')).toBe(curve);
      expect(curveOfPrefix(row.publicKey, 'publicKey')).toBe(curve);
      expect(curveOfPrefix(row.signature, 'signature')).toBe(curve);
      expect(PREFIXES[row.publicKey].lengths).toEqual([row.publicKeyLength]);
      expect(PREFIXES[row.signature].lengths).toEqual([row.signatureLength]);
    }
    expect(curveOfPrefix('edsk64', 'secretKey')).toBe('ed25519');
    expect(curveOfPrefix('sig', 'signature')).toBeUndefined();
    expect(curveOfPrefix('edpk', 'address')).toBeUndefined();
  });

  it('curveOfDecoded: the curve, or INVALID_ENCODING (never a raw error) for a prefix of no curve', () => {
    expect(curveOfDecoded('p2pk', 'publicKey')).toBe('p256');
    expect(curveOfDecoded('edsk64', 'secretKey')).toBe('ed25519');
    expect(() => curveOfDecoded('edpk', 'address')).toThrow(expect.objectContaining({ code: 'INVALID_ENCODING' }));
  });

  it('knows its names and nothing else', () => {
    expect(isPrefixName('BLpk')).toBe(true);
    expect(isPrefixName('blpk')).toBe(false);
    expect(isPrefixName('toString')).toBe(false);
  });
});
