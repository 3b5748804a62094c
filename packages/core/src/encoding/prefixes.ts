import type { Curve } from '../curve.js';
import { invalidEncoding } from '../errors.js';

/**
 * Base58check prefixes (octez `src/lib_crypto/base58.ml`, module Prefix): the bytes put
 * before the payload so the text starts with the familiar letters, and the payload lengths
 * each one allows.
 */
export const PREFIXES = {
  tz1: { bytes: [6, 161, 159], lengths: [20] },
  tz2: { bytes: [6, 161, 161], lengths: [20] },
  tz3: { bytes: [6, 161, 164], lengths: [20] },
  tz4: { bytes: [6, 161, 166], lengths: [20] },
  KT1: { bytes: [2, 90, 121], lengths: [20] },
  edpk: { bytes: [13, 15, 37, 217], lengths: [32] },
  sppk: { bytes: [3, 254, 226, 86], lengths: [33] },
  p2pk: { bytes: [3, 178, 139, 127], lengths: [33] },
  BLpk: { bytes: [6, 149, 135, 204], lengths: [48] },
  edsk: { bytes: [13, 15, 58, 7], lengths: [32] },
  // the older 64-byte seed ‖ public key form, still in many wallets' files; also starts "edsk"
  edsk64: { bytes: [43, 246, 78, 7], lengths: [64] },
  spsk: { bytes: [17, 162, 224, 201], lengths: [32] },
  p2sk: { bytes: [16, 81, 238, 189], lengths: [32] },
  BLsk: { bytes: [3, 150, 192, 40], lengths: [32] },
  edesk: { bytes: [7, 90, 60, 179, 41], lengths: [56] },
  spesk: { bytes: [9, 237, 241, 174, 150], lengths: [56] },
  p2esk: { bytes: [9, 48, 57, 115, 171], lengths: [56] },
  BLesk: { bytes: [2, 5, 30, 53, 25], lengths: [56] },
  edsig: { bytes: [9, 245, 205, 134, 18], lengths: [64] },
  spsig1: { bytes: [13, 115, 101, 19, 63], lengths: [64] },
  p2sig: { bytes: [54, 240, 44, 52], lengths: [64] },
  BLsig: { bytes: [40, 171, 64, 207], lengths: [96] },
  // generic: 64 bytes in octez; Taquito also writes BLS signatures (96 bytes) with it ("G4s…")
  sig: { bytes: [4, 130, 43], lengths: [64, 96] },
  Net: { bytes: [87, 82, 0], lengths: [4] },
  B: { bytes: [1, 52], lengths: [32] },
  o: { bytes: [5, 116], lengths: [32] },
  P: { bytes: [2, 170], lengths: [32] },
  vh: { bytes: [1, 106, 242], lengths: [32] },
  // smart rollups (octez protocol `smart_rollup_*_hash` modules) and DAL slot commitments
  sr1: { bytes: [6, 124, 117], lengths: [20] },
  src1: { bytes: [17, 165, 134, 138], lengths: [32] },
  srs1: { bytes: [17, 165, 235, 240], lengths: [32] },
  sh: { bytes: [2, 116, 180], lengths: [48] },
  // Michelson expression hashes (tickets' hashes), protocol `script_expr_hash.ml`; zk rollups, `zk_rollup_repr.ml`
  expr: { bytes: [13, 44, 64, 27], lengths: [32] },
  epx1: { bytes: [1, 23, 224, 125], lengths: [20] },
} as const satisfies Record<string, { bytes: readonly number[]; lengths: readonly number[] }>;

export type PrefixName = keyof typeof PREFIXES;

/** Secret keys encrypted with a passphrase (octez `encrypted.ml`). */
export const ENCRYPTED_SECRET_KEY_PREFIXES = ['edesk', 'spesk', 'p2esk', 'BLesk'] as const;

export const PREFIX_NAMES = Object.keys(PREFIXES) as PrefixName[];

export function isPrefixName(value: string): value is PrefixName {
  return Object.hasOwn(PREFIXES, value);
}

interface CurvePrefixes {
  readonly address: PrefixName;
  readonly publicKey: PrefixName;
  readonly secretKey: PrefixName;
  readonly encryptedSecretKey: PrefixName;
  readonly signature: PrefixName;
  /** binary tag of an implicit account (pkh_binary, authentication requests) */
  readonly addressTag: number;
  readonly publicKeyLength: number;
  readonly signatureLength: number;
}

/** The per-curve row of the key table (protocol notes §5). */
export const CURVE_PREFIXES: Readonly<Record<Curve, CurvePrefixes>> = {
  ed25519: { address: 'tz1', publicKey: 'edpk', secretKey: 'edsk', encryptedSecretKey: 'edesk', signature: 'edsig', addressTag: 0, publicKeyLength: 32, signatureLength: 64 },
  secp256k1: { address: 'tz2', publicKey: 'sppk', secretKey: 'spsk', encryptedSecretKey: 'spesk', signature: 'spsig1', addressTag: 1, publicKeyLength: 33, signatureLength: 64 },
  p256: { address: 'tz3', publicKey: 'p2pk', secretKey: 'p2sk', encryptedSecretKey: 'p2esk', signature: 'p2sig', addressTag: 2, publicKeyLength: 33, signatureLength: 64 },
  bls12_381: { address: 'tz4', publicKey: 'BLpk', secretKey: 'BLsk', encryptedSecretKey: 'BLesk', signature: 'BLsig', addressTag: 3, publicKeyLength: 48, signatureLength: 96 },
};

/** Which curve a curve-specific prefix belongs to (edsk64 counts as Ed25519). */
export function curveOfPrefix(prefix: PrefixName, role: Exclude<keyof CurvePrefixes, 'addressTag' | 'publicKeyLength' | 'signatureLength'>): Curve | undefined {
  if (role === 'secretKey' && prefix === 'edsk64') return 'ed25519';
  for (const [curve, row] of Object.entries(CURVE_PREFIXES) as [Curve, CurvePrefixes][]) {
    if (row[role] === prefix) return curve;
  }
  return undefined;
}

/**
 * The curve of a prefix b58cDecode has already matched against `role`'s own prefixes, so it
 * always has one; INVALID_ENCODING rather than a raw error should that ever not hold.
 */
export function curveOfDecoded(prefix: PrefixName, role: Parameters<typeof curveOfPrefix>[1]): Curve {
  const curve = curveOfPrefix(prefix, role);
  if (curve === undefined) throw invalidEncoding(`${prefix} is not a ${role} prefix of any curve`);
  return curve;
}
