import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { expect, test } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { tezosPublicKey } from './ec-point.js';
import { curveOfParams } from './mechanisms.js';

const der = (point: Uint8Array) => Uint8Array.from([0x04, point.length, ...point]);

test.each([
  ['secp256k1', secp256k1],
  ['p256', p256],
] as const)('a %s CKA_EC_POINT, DER-wrapped or bare, uncompressed, gives the compressed key', (curve, noble) => {
  const publicKey = noble.getPublicKey(noble.utils.randomSecretKey(), true);
  const uncompressed = noble.Point.fromBytes(publicKey).toBytes(false);
  expect(tezosPublicKey(curve, der(uncompressed))).toEqual(publicKey);
  expect(tezosPublicKey(curve, uncompressed)).toEqual(publicKey);
});

test('an Ed25519 point is its 32 bytes; a point off the curve is refused', () => {
  // RFC 8032 test 1's public key
  const point = Uint8Array.from(Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex'));
  expect(tezosPublicKey('ed25519', der(point))).toEqual(point);
  const offCurve = Uint8Array.from([0x04, ...new Uint8Array(64).fill(7)]);
  expect(() => tezosPublicKey('p256', der(offCurve))).toThrow();
  expect(thrownMessage('INVALID_ENCODING', () => tezosPublicKey('ed25519', der(new Uint8Array(31))))).toBeTruthy();
});

test('CKA_EC_PARAMS: the curve OIDs and the edwards25519 printable string', () => {
  expect(curveOfParams(Buffer.from('06032b6570', 'hex'))).toBe('ed25519');
  expect(curveOfParams(Buffer.from('130c656477617264733235353139', 'hex'))).toBe('ed25519');
  expect(curveOfParams(Buffer.from('06052b8104000a', 'hex'))).toBe('secp256k1');
  expect(curveOfParams(Buffer.from('06082a8648ce3d030107', 'hex'))).toBe('p256');
  // secp384r1: no Tezos address
  expect(curveOfParams(Buffer.from('06052b81040022', 'hex'))).toBeUndefined();
});
