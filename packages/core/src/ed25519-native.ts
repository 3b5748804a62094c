import type * as NodeCrypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { invalidEncoding } from './errors.js';
import { hexToBytes } from './hex.js';

type NodeCryptoModule = typeof NodeCrypto;

/** Whether `signature` is a valid Ed25519 signature of `message` (as given, not hashed again) by one key. */
export type Ed25519KeyVerifier = (message: Uint8Array, signature: Uint8Array) => boolean;

/** Builds the verifier of one raw 32-byte public key; INVALID_ENCODING if noble's strict decoding refuses it. */
export type Ed25519Verifiers = (publicKey: Uint8Array) => Ed25519KeyVerifier;

// RFC 8032 §7.1 TEST 1 (empty message): a known answer OpenSSL must give before it is trusted
const SELF_TEST_PUBLIC_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const SELF_TEST_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

/**
 * node:crypto if this runtime has it. Looked up rather than imported so that core still loads
 * where it does not exist (the caller then keeps noble). It is computation only, no I/O, so
 * core stays pure; `process` is read for nothing else.
 */
export function builtinCrypto(): NodeCryptoModule | undefined {
  return globalThis.process?.getBuiltinModule?.('node:crypto');
}

function keyVerifier(crypto: NodeCryptoModule, publicKey: Uint8Array): Ed25519KeyVerifier {
  let point;
  try {
    // OpenSSL takes a y ≥ p as y − p, so the same key would have two encodings; noble's strict decoding refuses it
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    throw invalidEncoding('edpk public key is not a valid ed25519 point');
  }
  // OpenSSL accepts signatures under a small-order key (one signature then fits many messages);
  // noble's strict mode refuses every one, and so must we
  if (point.isSmallOrder()) return () => false;
  const key = crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  // OpenSSL itself refuses S ≥ L and any R but the canonical encoding of [S]B − [k]A
  return (message, signature) => signature.length === 64 && crypto.verify(null, message, key, signature);
}

/**
 * Ed25519 verification by node:crypto (OpenSSL), some 20× noble's, behind noble's strict checks
 * of the public key so that it refuses all that noble's strict mode refuses. Unlike noble it
 * verifies without the cofactor, so it also refuses a signature whose R carries a small-order
 * component, which noble accepts: stricter, never looser. Undefined where node:crypto is missing
 * or cannot do Ed25519 (an OpenSSL without it, a FIPS provider): the caller then keeps noble.
 */
export function loadNativeEd25519(crypto: NodeCryptoModule | undefined): Ed25519Verifiers | undefined {
  if (crypto === undefined) return undefined;
  const verifiers: Ed25519Verifiers = (publicKey) => keyVerifier(crypto, publicKey);
  try {
    const verify = verifiers(hexToBytes(SELF_TEST_PUBLIC_KEY));
    const signature = hexToBytes(SELF_TEST_SIGNATURE);
    const forged = Uint8Array.from(signature);
    forged[0] = (forged[0] ?? 0) ^ 1;
    if (verify(new Uint8Array(), signature) && !verify(new Uint8Array(), forged)) return verifiers;
  } catch {
    // an OpenSSL without Ed25519 throws here
  }
  return undefined;
}
