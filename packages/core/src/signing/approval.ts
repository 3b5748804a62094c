import { blake2b256 } from '../crypto/blake2b.js';
import { badRequest } from '../errors.js';
import { isAddress } from '../encoding/address.js';
import { encodePublicKey, publicKeyHash } from '../encoding/public-key.js';
import { encodeSignature } from '../encoding/signature.js';
import { derivePublicKey, type SecretKey } from '../encoding/secret-key.js';
import { signWithSecretKey } from './sign-and-verify.js';
import { decodeKnownKeys, signedBy } from './signed-by.js';

/**
 * What one approval answers, and nothing else: this signer instance (a random value chosen at
 * each start), the held request (its random id), its key, its chain when its bytes name one,
 * the BLAKE2b-256 hash of its bytes as the approver computed it, and until when it holds.
 */
export interface ApprovalStatement {
  /** the signer instance: 32 hex digits, chosen at each start */
  readonly signer: string;
  /** the held request's id: 16 hex digits */
  readonly request: string;
  readonly key: string;
  /** `Net…`, for a request whose bytes name its chain */
  readonly chain?: string;
  /** 64 lower-case hex digits */
  readonly hash: string;
  /** ms since the epoch */
  readonly expires: number;
}

const FIELDS: ReadonlyArray<[keyof ApprovalStatement, RegExp, string]> = [
  ['signer', /^[0-9a-f]{32}$/, '32 hex digits'],
  ['request', /^[0-9a-f]{16}$/, '16 hex digits'],
  ['hash', /^[0-9a-f]{64}$/, '64 lower-case hex digits (the whole hash)'],
];
const CHAIN = /^Net[1-9A-HJ-NP-Za-km-z]{12}$/;

/**
 * The text an approver key signs, one field a line. It starts with `t` (0x74), no magic byte of
 * Tezos, so no such signature can pass for a block, an operation or Michelson data, nor any of
 * those for an approval; and it differs from the first release's `tezsigner approves request
 * <hash>` from its first line on, so none of those approves anything now.
 */
export function approvalBytes(statement: ApprovalStatement): Uint8Array {
  for (const [field, pattern, what] of FIELDS) {
    if (!pattern.test(String(statement[field]))) throw badRequest(`an approval names its ${field} by ${what}, not ${JSON.stringify(statement[field])}`);
  }
  if (!isAddress(statement.key)) throw badRequest(`an approval names its key by address (tz1…), not ${JSON.stringify(statement.key)}`);
  if (statement.chain !== undefined && !CHAIN.test(statement.chain)) throw badRequest(`an approval names its chain as Net…, not ${JSON.stringify(statement.chain)}`);
  if (!Number.isSafeInteger(statement.expires) || statement.expires < 0 || statement.expires > 8.64e15) throw badRequest('an approval expires at a time (ms since the epoch)');
  const lines = [
    'tezsigner approves one held request',
    `signer ${statement.signer}`,
    `request ${statement.request}`,
    `key ${statement.key}`,
    `chain ${statement.chain ?? 'none'}`,
    `hash ${statement.hash}`,
    `expires ${new Date(statement.expires).toISOString()}`,
  ];
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** `statement` signed with `key` (base58 signature), and who signed it. */
export function signApproval(key: SecretKey, statement: ApprovalStatement): { signature: string; publicKey: string } {
  const bytes = approvalBytes(statement);
  const signature = encodeSignature(key.curve, signWithSecretKey(key, { bytes, digest: blake2b256(bytes) }));
  return { signature, publicKey: encodePublicKey(key.curve, derivePublicKey(key)) };
}

/** Checks approvals against the approver public keys (decoded now); answers the approver's address, or undefined. */
export type ApprovalVerifier = (statement: ApprovalStatement, signature: string) => string | undefined;

export function approvalVerifier(approverPublicKeys: readonly string[]): ApprovalVerifier {
  const keys = decodeKnownKeys(approverPublicKeys, 'approver key');
  return (statement, signature) => {
    const key = signedBy(keys, approvalBytes(statement), signature, 'the approval', 'BAD_REQUEST');
    return key === undefined ? undefined : publicKeyHash(key.curve, key.bytes);
  };
}
