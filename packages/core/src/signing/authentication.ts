import { addressToBytes } from '../encoding/address.js';
import { AUTHENTICATION_MAGIC_BYTE, SIGN_REQUEST_TAG } from '../request/magic-bytes.js';
import { decodeKnownKeys, signedBy } from './signed-by.js';

/** What a client signs to authenticate a sign request (protocol notes §1): 0x04 0x01 pkh_binary data. */
export function authenticationBytes(pkh: string, data: Uint8Array): Uint8Array {
  const address = addressToBytes(pkh);
  const bytes = new Uint8Array(2 + address.length + data.length);
  bytes[0] = AUTHENTICATION_MAGIC_BYTE;
  bytes[1] = SIGN_REQUEST_TAG;
  bytes.set(address, 2);
  bytes.set(data, 2 + address.length);
  return bytes;
}

/** Checks one request's authentication; see `authenticationVerifier`. */
export type AuthenticationVerifier = (pkh: string, data: Uint8Array, signature: string) => boolean;

/**
 * A check of request authentications against the authorized public keys
 * (edpk/sppk/p2pk/BLpk), decoded once here rather than on every request: it answers whether
 * `signature` is a signature of `authenticationBytes(pkh, data)` by one of them. An authorized
 * key that is not a public key is CONFIG_INVALID now; a signature that is not base58 is
 * AUTH_INVALID when checked.
 */
export function authenticationVerifier(authorizedPublicKeys: readonly string[]): AuthenticationVerifier {
  const keys = decodeKnownKeys(authorizedPublicKeys, 'authorized key');
  return (pkh, data, signature) => signedBy(keys, authenticationBytes(pkh, data), signature, 'authentication') !== undefined;
}

/** `authenticationVerifier(authorizedPublicKeys)` for a single check. */
export function verifyAuthentication(authorizedPublicKeys: readonly string[], pkh: string, data: Uint8Array, signature: string): boolean {
  return authenticationVerifier(authorizedPublicKeys)(pkh, data, signature);
}
