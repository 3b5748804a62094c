import { blake2b256 } from '../crypto/blake2b.js';
import { badRequest } from '../errors.js';
import { encodePublicKey, publicKeyHash } from '../encoding/public-key.js';
import { encodeSignature } from '../encoding/signature.js';
import { derivePublicKey, type SecretKey } from '../encoding/secret-key.js';
import { signWithSecretKey } from './sign-and-verify.js';
import { decodeKnownKeys, signedBy } from './signed-by.js';

const HASH = /^[0-9a-f]{64}$/;

/**
 * What an approver key signs to approve one held request: text naming the request's whole
 * BLAKE2b-256 hash. It starts with `t` (0x74), no magic byte of Tezos, so no such signature can
 * pass for a block, an operation or Michelson data, nor any of those for an approval.
 */
export function approvalBytes(hash: string): Uint8Array {
  if (!HASH.test(hash)) throw badRequest('an approval names the whole request hash: 64 lower-case hex digits');
  return new TextEncoder().encode(`tezsigner approves request ${hash}`);
}

/** An approval of `hash` signed with `key` (base58 signature), and who signed it. */
export function signApproval(key: SecretKey, hash: string): { signature: string; publicKey: string } {
  const bytes = approvalBytes(hash);
  const signature = encodeSignature(key.curve, signWithSecretKey(key, { bytes, digest: blake2b256(bytes) }));
  return { signature, publicKey: encodePublicKey(key.curve, derivePublicKey(key)) };
}

/** Checks approvals against the approver public keys (decoded now); answers the approver's address, or undefined. */
export type ApprovalVerifier = (hash: string, signature: string) => string | undefined;

export function approvalVerifier(approverPublicKeys: readonly string[]): ApprovalVerifier {
  const keys = decodeKnownKeys(approverPublicKeys, 'approver key');
  return (hash, signature) => {
    const key = signedBy(keys, approvalBytes(hash), signature, 'the approval', 'BAD_REQUEST');
    return key === undefined ? undefined : publicKeyHash(key.curve, key.bytes);
  };
}
