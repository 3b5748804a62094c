import type { Curve } from '../curve.js';
import { configInvalid, isTezsignerError, TezsignerError, type ErrorCode } from '../errors.js';
import { CURVE_PREFIXES } from '../encoding/prefixes.js';
import { decodePublicKey } from '../encoding/public-key.js';
import { decodeSignature } from '../encoding/signature.js';
import { verifySignature } from './sign-and-verify.js';

export interface KnownKey {
  readonly curve: Curve;
  readonly bytes: Uint8Array;
}

/** Public keys (edpk/sppk/p2pk/BLpk) decoded once; one that is not is CONFIG_INVALID naming `what` #n. */
export function decodeKnownKeys(publicKeys: readonly string[], what: string): KnownKey[] {
  return publicKeys.map((text, i) => {
    try {
      return decodePublicKey(text);
    } catch (err) {
      if (!isTezsignerError(err)) throw err;
      throw configInvalid(`${what} #${i + 1} is not a public key: ${err.message}`, err);
    }
  });
}

/**
 * The key among `keys` whose signature of `message` `signature` (base58) is, if any. A
 * signature that is not base58 is `badCode` (AUTH_INVALID for requests).
 */
export function signedBy(keys: readonly KnownKey[], message: Uint8Array, signature: string, what: string, badCode: ErrorCode = 'AUTH_INVALID'): KnownKey | undefined {
  let decoded: { curve?: Curve; bytes: Uint8Array };
  try {
    decoded = decodeSignature(signature);
  } catch (err) {
    if (!isTezsignerError(err)) throw err;
    throw new TezsignerError(badCode, `${what} is not a signature: ${err.message}`, { cause: err });
  }
  return keys.find(
    (key) =>
      // a generic `sig` carries no curve: try it with every key of the right signature length
      (decoded.curve ?? key.curve) === key.curve &&
      decoded.bytes.length === CURVE_PREFIXES[key.curve].signatureLength &&
      verifySignature(key.curve, key.bytes, message, decoded.bytes),
  );
}
