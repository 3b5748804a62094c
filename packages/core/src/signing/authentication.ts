import { addressToBytes } from '../encoding/address.js';
import type { Curve } from '../curve.js';
import { configInvalid, isTezsignerError, TezsignerError } from '../errors.js';
import { CURVE_PREFIXES } from '../encoding/prefixes.js';
import { decodePublicKey } from '../encoding/public-key.js';
import { AUTHENTICATION_MAGIC_BYTE, SIGN_REQUEST_TAG } from '../request/magic-bytes.js';
import { verifySignature } from './sign-and-verify.js';
import { decodeSignature } from '../encoding/signature.js';

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
  const keys = authorizedPublicKeys.map((text, i) => {
    try {
      return decodePublicKey(text);
    } catch (err) {
      if (!isTezsignerError(err)) throw err;
      throw configInvalid(`authorized key #${i + 1} is not a public key: ${err.message}`, err);
    }
  });
  return (pkh, data, signature) => {
    let decoded: { curve?: Curve; bytes: Uint8Array };
    try {
      decoded = decodeSignature(signature);
    } catch (err) {
      if (!isTezsignerError(err)) throw err;
      throw new TezsignerError('AUTH_INVALID', `authentication is not a signature: ${err.message}`, { cause: err });
    }
    const message = authenticationBytes(pkh, data);
    return keys.some(
      (key) =>
        // a generic `sig` carries no curve: try it with every key of the right signature length
        (decoded.curve ?? key.curve) === key.curve &&
        decoded.bytes.length === CURVE_PREFIXES[key.curve].signatureLength &&
        verifySignature(key.curve, key.bytes, message, decoded.bytes),
    );
  };
}

/** `authenticationVerifier(authorizedPublicKeys)` for a single check. */
export function verifyAuthentication(authorizedPublicKeys: readonly string[], pkh: string, data: Uint8Array, signature: string): boolean {
  return authenticationVerifier(authorizedPublicKeys)(pkh, data, signature);
}
