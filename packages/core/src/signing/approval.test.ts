import { InMemorySigner } from '@taquito/signer';
import { verifySignature } from '@taquito/utils';
import { describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { bytesToHex } from '../encoding/hex.js';
import { decodeSecretKey } from '../encoding/secret-key.js';
import { isTezsignerError } from '../errors.js';
import { approvalBytes, approvalVerifier, signApproval, type ApprovalStatement } from './approval.js';

const STATEMENT: ApprovalStatement = {
  signer: '5ca1ab1e'.repeat(4),
  request: '0123456789abcdef',
  key: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb',
  chain: 'NetXdQprcVkpaWU',
  hash: 'c0ffee'.padEnd(64, '0'),
  expires: Date.UTC(2026, 0, 1, 0, 10),
};

/** Each field changed alone: an approval of the statement must approve none of these. */
const OTHERS: ReadonlyArray<[string, ApprovalStatement]> = [
  ['another signer instance (a restart)', { ...STATEMENT, signer: 'bead'.repeat(8) }],
  ['another request', { ...STATEMENT, request: 'fedcba9876543210' }],
  ['another key', { ...STATEMENT, key: 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6' }],
  ['another chain', { ...STATEMENT, chain: 'NetXnHfVqm9iesp' }],
  ['no chain', { ...STATEMENT, chain: undefined }],
  ['other bytes', { ...STATEMENT, hash: 'c0ffee'.padEnd(64, '1') }],
  ['a later expiry', { ...STATEMENT, expires: STATEMENT.expires + 1 }],
];

describe.each(keyVectors().filter((key) => key.curve !== 'bls12_381'))('approvals by a $curve approver key', (key) => {
  test('made here, they verify with Taquito; made by Taquito, they verify here; each answers its statement only', async () => {
    const ours = signApproval(decodeSecretKey(key.secret_key), STATEMENT);
    expect(ours.publicKey).toBe(key.public_key);
    expect(verifySignature(bytesToHex(approvalBytes(STATEMENT)), key.public_key, ours.signature)).toBe(true);
    const theirs = (await new InMemorySigner(key.secret_key).sign(bytesToHex(approvalBytes(STATEMENT)))).prefixSig;
    const verify = approvalVerifier([key.public_key]);
    expect(verify(STATEMENT, theirs)).toBe(key.public_key_hash);
    for (const [, other] of OTHERS) expect(verify(other, theirs)).toBeUndefined();
    expect(approvalVerifier([keyVectors().find((other) => other.curve !== key.curve)?.public_key ?? ''])(STATEMENT, theirs)).toBeUndefined();
  });
});

test('the text signed starts with no Tezos magic byte and names every field, one a line', () => {
  const text = new TextDecoder().decode(approvalBytes(STATEMENT));
  expect(text).toBe(
    [
      'tezsigner approves one held request',
      `signer ${'5ca1ab1e'.repeat(4)}`,
      'request 0123456789abcdef',
      'key tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb',
      'chain NetXdQprcVkpaWU',
      `hash ${'c0ffee'.padEnd(64, '0')}`,
      'expires 2026-01-01T00:10:00.000Z',
      '',
    ].join('\n'),
  );
  expect(approvalBytes(STATEMENT)[0]).toBe(0x74);
  expect(new TextDecoder().decode(approvalBytes({ ...STATEMENT, chain: undefined }))).toContain('\nchain none\n');
});

test('a statement with a field out of shape is refused (BAD_REQUEST), never signed or checked', () => {
  const refused = (statement: ApprovalStatement) => {
    try {
      approvalBytes(statement);
    } catch (err) {
      return isTezsignerError(err, 'BAD_REQUEST') ? err.message : `other error: ${String(err)}`;
    }
    return 'accepted';
  };
  expect(refused({ ...STATEMENT, hash: STATEMENT.hash.slice(0, 16) })).toMatch(/hash by 64 lower-case hex digits/);
  expect(refused({ ...STATEMENT, request: '1' })).toMatch(/request by 16 hex digits/);
  expect(refused({ ...STATEMENT, signer: '' })).toMatch(/signer by 32 hex digits/);
  expect(refused({ ...STATEMENT, key: 'tz1nope' })).toMatch(/key by address/);
  expect(refused({ ...STATEMENT, chain: 'mainnet' })).toMatch(/chain as Net/);
  expect(refused({ ...STATEMENT, expires: Number.NaN })).toMatch(/expires at a time/);
  expect(() => approvalVerifier(['tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb'])).toThrow(/approver key #1 is not a public key/);
});
