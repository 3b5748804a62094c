import { InMemorySigner } from '@taquito/signer';
import { b58DecodeAndCheckPrefix, b58Encode, PrefixV2, signaturePrefixes } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { authenticationBytes, authenticationVerifier, verifyAuthentication } from './authentication.js';
import { hexToBytes } from '../encoding/hex.js';

interface AuthenticationVector {
  authorized_key: string;
  signing_key_hash: string;
  data_hex: string;
  signed_bytes_hex: string;
  authentication: string;
}

const vector = loadVectors<AuthenticationVector>('authentication');
const data = hexToBytes(vector.data_hex);
const keys = keyVectors();

describe('client authentication', () => {
  it('builds 0x04 0x01 pkh_binary data', () => {
    expect(Buffer.from(authenticationBytes(vector.signing_key_hash, data)).toString('hex')).toBe(vector.signed_bytes_hex);
  });

  it('accepts the vector authentication from an authorized key', () => {
    expect(verifyAuthentication([vector.authorized_key], vector.signing_key_hash, data, vector.authentication)).toBe(true);
    const others = keys.filter((k) => k.public_key !== vector.authorized_key).map((k) => k.public_key);
    expect(verifyAuthentication([...others, vector.authorized_key], vector.signing_key_hash, data, vector.authentication)).toBe(true);
  });

  it('refuses it from unauthorized keys, for other data and for another signing key', () => {
    const others = keys.filter((k) => k.public_key !== vector.authorized_key).map((k) => k.public_key);
    expect(verifyAuthentication(others, vector.signing_key_hash, data, vector.authentication)).toBe(false);
    expect(verifyAuthentication([], vector.signing_key_hash, data, vector.authentication)).toBe(false);
    const otherData = data.slice();
    otherData[otherData.length - 1] = (otherData[otherData.length - 1] ?? 0) ^ 1;
    expect(verifyAuthentication([vector.authorized_key], vector.signing_key_hash, otherData, vector.authentication)).toBe(false);
    expect(verifyAuthentication([vector.authorized_key], 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', data, vector.authentication)).toBe(false);
  });

  it('accepts the generic sig form of the same signature', () => {
    const [raw] = b58DecodeAndCheckPrefix(vector.authentication, signaturePrefixes);
    const generic = b58Encode(raw, PrefixV2.GenericSignature);
    expect(generic.startsWith('sig')).toBe(true);
    expect(verifyAuthentication([vector.authorized_key], vector.signing_key_hash, data, generic)).toBe(true);
  });

  it('accepts authentications Taquito makes with a key of every curve', async () => {
    for (const key of keys) {
      const tag = { ed25519: '00', secp256k1: '01', p256: '02', bls12_381: '03' }[key.curve];
      // the message laid out by hand from the protocol notes, not by authenticationBytes
      const message = `0401${tag}${key.public_key_hash_hex}${vector.data_hex}`;
      const { prefixSig } = await new InMemorySigner(key.secret_key).sign(message);
      expect(verifyAuthentication([key.public_key], key.public_key_hash, data, prefixSig), key.name).toBe(true);
    }
  });

  it('AUTH_INVALID for a signature that is not one; CONFIG_INVALID for a bad authorized key', () => {
    expect(() => verifyAuthentication([vector.authorized_key], vector.signing_key_hash, data, 'not-a-signature')).toThrow(expect.objectContaining({ code: 'AUTH_INVALID' }));
    expect(() => verifyAuthentication(['edpkNOPE'], vector.signing_key_hash, data, vector.authentication)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/authorized key #1/) }));
  });

  it('a verifier built once refuses a bad authorized key at once and checks many requests', () => {
    expect(() => authenticationVerifier(['edpkNOPE'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    const verify = authenticationVerifier([vector.authorized_key]);
    expect(verify(vector.signing_key_hash, data, vector.authentication)).toBe(true);
    expect(verify(vector.signing_key_hash, Uint8Array.from(data, (b, i) => (i === 0 ? b ^ 1 : b)), vector.authentication)).toBe(false);
    expect(verify(vector.signing_key_hash, data, vector.authentication)).toBe(true);
  });
});
