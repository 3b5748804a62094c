import { p256 } from '@noble/curves/nist.js';
import { getPkhfromPk } from '@taquito/utils';
import { describe, expect, test } from 'vitest';
import { CURVE_ON_TOKEN } from './mechanisms.js';
import { selectKeys, type TokenObject } from './token-keys.js';

// as modules give CKA_EC_POINT: a DER OCTET STRING around the uncompressed point
const point = (secret: Uint8Array) => Uint8Array.from([0x04, 65, ...p256.getPublicKey(secret, false)]);
const secrets = [1, 2, 3].map(() => p256.utils.randomSecretKey());
const id = (byte: number) => Uint8Array.from([byte, byte]);
const p256Key = (label: string, keyId: Uint8Array, secret: Uint8Array, points = 1): TokenObject => ({
  id: keyId,
  label,
  params: CURVE_ON_TOKEN.p256.params,
  points: Array.from({ length: points }, () => point(secret)),
});

describe('selectKeys: the keys served, and each other one skipped with its reason', () => {
  test('a plain key is served with the address Taquito derives', () => {
    const listing = selectKeys([p256Key('baker', id(1), secrets[0] as Uint8Array)], true);
    expect(listing.found).toBe(1);
    expect(listing.skipped).toEqual([]);
    const [key] = listing.keys;
    expect(key?.info.label).toBe('baker');
    expect(getPkhfromPk(key?.info.publicKey ?? '')).toBe(key?.info.pkh);
  });

  test('two private keys on one CKA_ID are both skipped: which one signs would be a guess', () => {
    const listing = selectKeys([p256Key('a', id(7), secrets[0] as Uint8Array), p256Key('b', id(7), secrets[1] as Uint8Array), p256Key('c', id(8), secrets[2] as Uint8Array)], true);
    expect(listing.keys.map((key) => key.label)).toEqual(['c']);
    expect(listing.skipped).toEqual([
      { name: '"a"', reason: '2 private keys share its CKA_ID 0707: which one signs would be a guess; give each its own CKA_ID' },
      { name: '"b"', reason: '2 private keys share its CKA_ID 0707: which one signs would be a guess; give each its own CKA_ID' },
    ]);
  });

  test('keys without a CKA_ID sharing a label are skipped alike', () => {
    const listing = selectKeys([p256Key('same', new Uint8Array(), secrets[0] as Uint8Array), p256Key('same', new Uint8Array(), secrets[1] as Uint8Array)], true);
    expect(listing.keys).toEqual([]);
    expect(listing.skipped.map((skip) => skip.reason)).toEqual([
      '2 private keys share its label (and have no CKA_ID): which one signs would be a guess; give each its own CKA_ID',
      '2 private keys share its label (and have no CKA_ID): which one signs would be a guess; give each its own CKA_ID',
    ]);
  });

  test('one key under two IDs is skipped both times, never served twice nor dropped silently', () => {
    const listing = selectKeys([p256Key('first', id(1), secrets[0] as Uint8Array), p256Key('copy', id(2), secrets[0] as Uint8Array), p256Key('other', id(3), secrets[1] as Uint8Array)], true);
    expect(listing.found).toBe(3);
    expect(listing.keys.map((key) => key.label)).toEqual(['other']);
    const pkh = selectKeys([p256Key('first', id(1), secrets[0] as Uint8Array)], true).keys[0]?.info.pkh;
    expect(listing.skipped).toEqual([
      { name: '"first"', reason: `the same key ${pkh} is on the token 2 times (CKA_IDs 0101, 0202): keep one` },
      { name: '"copy"', reason: `the same key ${pkh} is on the token 2 times (CKA_IDs 0101, 0202): keep one` },
    ]);
  });

  test('other curves, Ed25519 without CKM_EDDSA, and keys without exactly one public key object are skipped', () => {
    const objects: TokenObject[] = [
      { id: id(1), label: 'p384', params: Uint8Array.from([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]), points: [] },
      { id: id(2), label: 'rsa', params: undefined, points: [] },
      { id: id(3), label: 'ed', params: CURVE_ON_TOKEN.ed25519.params, points: [new Uint8Array(32).fill(9)] },
      p256Key('lonely', id(4), secrets[0] as Uint8Array, 0),
      p256Key('twice', id(5), secrets[1] as Uint8Array, 2),
      { id: id(6), label: 'bad point', params: CURVE_ON_TOKEN.p256.params, points: [Uint8Array.from([0x04, 3, 1, 2, 3])] },
    ];
    const listing = selectKeys(objects, false);
    expect(listing.keys).toEqual([]);
    expect(listing.skipped.map((skip) => `${skip.name}: ${skip.reason}`)).toEqual([
      '"p384": not an Ed25519, secp256k1 or P-256 key',
      '"rsa": not an Ed25519, secp256k1 or P-256 key',
      '"ed": an Ed25519 key, and this module has no CKM_EDDSA',
      '"lonely": no public key object with its CKA_ID',
      '"twice": more than one public key object with its CKA_ID',
      expect.stringMatching(/^"bad point": its public key does not read as a p256 point/),
    ]);
  });

  test('a label with control characters is named escaped; a key without a label by its CKA_ID', () => {
    const listing = selectKeys(
      [
        { id: id(1), label: 'evil\n; touch PWNED #', params: undefined, points: [] },
        { id: id(2), label: '', params: undefined, points: [] },
      ],
      true,
    );
    expect(listing.skipped.map((skip) => skip.name)).toEqual(['"evil\\n; touch PWNED #"', 'id 0202']);
  });
});
