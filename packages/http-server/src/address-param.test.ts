import { b58Encode, PrefixV2, validateKeyHash, ValidationResult } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import { VALID_KEPT, addressParam } from './address-param.js';

const PREFIXES = [PrefixV2.Ed25519PublicKeyHash, PrefixV2.Secp256k1PublicKeyHash, PrefixV2.P256PublicKeyHash, PrefixV2.BLS12_381PublicKeyHash];
const address = fc.tuple(fc.constantFrom(...PREFIXES), fc.uint8Array({ minLength: 20, maxLength: 20 })).map(([prefix, hash]) => b58Encode(Buffer.from(hash).toString('hex'), prefix));

function refusal(value: string): unknown {
  try {
    addressParam(value);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('addressParam', () => {
  it('takes what Taquito takes for a key hash, again and again, and refuses a changed character', () => {
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 300 }), fc.nat(), (addresses, at) => {
        for (const text of [...addresses, ...addresses]) {
          expect(validateKeyHash(text)).toBe(ValidationResult.VALID);
          expect(addressParam(text)).toBe(text);
          // one character changed: the checksum (or the prefix) no longer holds
          const i = at % text.length;
          const changed = text.slice(0, i) + (text[i] === 'z' ? 'y' : 'z') + text.slice(i + 1);
          if (validateKeyHash(changed) !== ValidationResult.VALID) expect(isTezsignerError(refusal(changed), 'INVALID_ENCODING')).toBe(true);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('takes every address of a bakery again and again past the addresses it keeps', () => {
    const hash = (n: number) => {
      const bytes = Buffer.alloc(20, 0x5a);
      bytes.writeUInt32BE(n);
      return bytes.toString('hex');
    };
    const addresses = Array.from({ length: VALID_KEPT + 100 }, (_, n) => b58Encode(hash(n), PREFIXES[n % PREFIXES.length] as PrefixV2));
    for (const text of [...addresses, ...addresses]) expect(addressParam(text)).toBe(text);
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('refuses what is not an address, with a message naming it', () => {
    for (const text of ['', 'tz1', 'KT1PWx2mnDueood7fEmfbBDKx1D9BAnnXitn', 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb ']) {
      const err = refusal(text);
      expect(isTezsignerError(err, 'INVALID_ENCODING')).toBe(true);
      expect((err as Error).message).toContain(JSON.stringify(text));
    }
    expect(isTezsignerError(refusal(undefined as unknown as string), 'INVALID_ENCODING')).toBe(true);
  });
});
