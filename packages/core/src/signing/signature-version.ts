import { badRequest } from '../errors.js';
import type { Curve } from '../curve.js';

/**
 * The `?version=` of an octez sign request (octez `Signature.version`, `signature_v0.ml` …
 * `signature_v3.ml`). It changes nothing for Ed25519, secp256k1 and P-256; for BLS (tz4) it
 * chooses the scheme: version 1 is the augmented scheme, versions 2 and 3 the
 * proof-of-possession one, version 0 has no BLS at all.
 */
export const SIGNATURE_VERSIONS = [0, 1, 2, 3] as const;
export type SignatureVersion = (typeof SIGNATURE_VERSIONS)[number];

/** the version of the current protocol (Ushuaia's clients send 3): what a request without `?version=` gets */
export const LATEST_SIGNATURE_VERSION: SignatureVersion = 3;

/**
 * How a tz4 key signs: `pop`, the raw bytes under the proof-of-possession DST; `aug`, the
 * 48-byte public key followed by the bytes under the augmented DST.
 */
export type BlsScheme = 'pop' | 'aug';

export function isSignatureVersion(value: unknown): value is SignatureVersion {
  return typeof value === 'number' && (SIGNATURE_VERSIONS as readonly number[]).includes(value);
}

/** A version as the query gives it (decimal text); BAD_REQUEST for anything octez does not define. */
export function parseSignatureVersion(text: string): SignatureVersion {
  const value = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!isSignatureVersion(value)) throw badRequest(`unknown signature version ${JSON.stringify(text)}: octez defines ${SIGNATURE_VERSIONS.join(', ')}`);
  return value;
}

/**
 * The BLS scheme a version asks for (`undefined`: the current protocol's), or BAD_REQUEST
 * when the version has no BLS. Only meaningful for tz4 keys: other curves sign alike under
 * every version, so for them the answer is undefined.
 */
export function blsSchemeFor(curve: Curve, version: SignatureVersion | undefined): BlsScheme | undefined {
  if (curve !== 'bls12_381') return undefined;
  switch (version ?? LATEST_SIGNATURE_VERSION) {
    case 0:
      throw badRequest('signature version 0 has no BLS: a tz4 key cannot sign under it (octez clients of a protocol with tz4 send version 1 or later)');
    case 1:
      return 'aug';
    default:
      return 'pop';
  }
}
