import type { Curve } from '@tezsigner/core';

// PKCS#11 3.0 values that pkcs11js does not name (it predates them)
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;
export const CKK_EC = 0x3;
export const CKM_EC_KEY_PAIR_GEN = 0x1040;
export const CKM_ECDSA = 0x1041;

export type TokenCurve = Exclude<Curve, 'bls12_381'>;
export const TOKEN_CURVES: readonly TokenCurve[] = ['ed25519', 'secp256k1', 'p256'];

interface CurveOnToken {
  /** CKA_EC_PARAMS as written at generation: the DER of the curve's OID */
  readonly params: Buffer;
  readonly keyType: number;
  readonly generate: number;
  readonly sign: number;
}

export const CURVE_ON_TOKEN: Record<TokenCurve, CurveOnToken> = {
  // 1.3.101.112 (RFC 8410)
  ed25519: { params: Buffer.from('06032b6570', 'hex'), keyType: CKK_EC_EDWARDS, generate: CKM_EC_EDWARDS_KEY_PAIR_GEN, sign: CKM_EDDSA },
  // 1.3.132.0.10
  secp256k1: { params: Buffer.from('06052b8104000a', 'hex'), keyType: CKK_EC, generate: CKM_EC_KEY_PAIR_GEN, sign: CKM_ECDSA },
  // 1.2.840.10045.3.1.7 (prime256v1)
  p256: { params: Buffer.from('06082a8648ce3d030107', 'hex'), keyType: CKK_EC, generate: CKM_EC_KEY_PAIR_GEN, sign: CKM_ECDSA },
};

// PKCS#11 3.0 also names Edwards curves by a PrintableString (some modules write that)
const EDWARDS25519_NAME = Buffer.from('130c656477617264733235353139', 'hex');

/** The curve a key's CKA_EC_PARAMS names, or undefined for one Tezos has no address for. */
export function curveOfParams(params: Uint8Array): TokenCurve | undefined {
  if (EDWARDS25519_NAME.equals(params)) return 'ed25519';
  return TOKEN_CURVES.find((curve) => CURVE_ON_TOKEN[curve].params.equals(params));
}

export function isTokenCurve(value: string): value is TokenCurve {
  return (TOKEN_CURVES as readonly string[]).includes(value);
}
