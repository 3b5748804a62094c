import { InMemorySigner } from '@taquito/signer';
import { verifySignature } from '@taquito/utils';
import { describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { bytesToHex } from '../encoding/hex.js';
import { decodeSecretKey } from '../encoding/secret-key.js';
import { isTezsignerError } from '../errors.js';
import { approvalBytes, approvalVerifier, signApproval } from './approval.js';

const HASH = 'c0ffee'.padEnd(64, '0');
const OTHER_HASH = 'c0ffee'.padEnd(64, '1');

describe.each(keyVectors().filter((key) => key.curve !== 'bls12_381'))('approvals by a $curve approver key', (key) => {
  test('made here, they verify with Taquito; made by Taquito, they verify here; each names one hash', async () => {
    const ours = signApproval(decodeSecretKey(key.secret_key), HASH);
    expect(ours.publicKey).toBe(key.public_key);
    expect(verifySignature(bytesToHex(approvalBytes(HASH)), key.public_key, ours.signature)).toBe(true);
    const theirs = (await new InMemorySigner(key.secret_key).sign(bytesToHex(approvalBytes(HASH)))).prefixSig;
    const verify = approvalVerifier([key.public_key]);
    expect(verify(HASH, theirs)).toBe(key.public_key_hash);
    expect(verify(OTHER_HASH, theirs)).toBeUndefined();
    expect(approvalVerifier([keyVectors().find((other) => other.curve !== key.curve)?.public_key ?? ''])(HASH, theirs)).toBeUndefined();
  });
});

test('the text signed starts with no Tezos magic byte, names the whole hash, and refuses anything else', () => {
  expect(new TextDecoder().decode(approvalBytes(HASH))).toBe(`tezsigner approves request ${HASH}`);
  expect(approvalBytes(HASH)[0]).toBe(0x74);
  let refused: unknown;
  try {
    approvalBytes(HASH.slice(0, 16));
  } catch (err) {
    refused = err;
  }
  expect(isTezsignerError(refused, 'BAD_REQUEST')).toBe(true);
  expect(() => approvalVerifier(['tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb'])).toThrow(/approver key #1 is not a public key/);
});
