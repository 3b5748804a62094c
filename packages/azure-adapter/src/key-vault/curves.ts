import type { EcdsaCurve } from '@tezsigner/core';

/** How Key Vault names the two curves Tezos shares with it when it creates or imports a key. */
export const VAULT_CURVES: Record<EcdsaCurve, { readonly jwk: 'P-256K' | 'P-256' }> = {
  secp256k1: { jwk: 'P-256K' },
  p256: { jwk: 'P-256' },
};

/** A curve as a vault key reports it: the Tezos curve, and the algorithm the vault signs a digest with for that name. */
export interface VaultCurve {
  readonly curve: EcdsaCurve;
  readonly algorithm: 'ES256K' | 'ES256' | 'ECDSA256';
}

/**
 * The Tezos curve of a JWK curve name, and how to sign with it. Keys made while EC keys were in
 * preview (and some tools since) report secp256k1 as SECP256K1, which the vault signs only with
 * its old algorithm name ECDSA256: ES256K is refused for them ("Key and signing algorithm are
 * incompatible … 'ES256K' can only be used with curve 'P-256K'"), and ECDSA256 for P-256K keys.
 */
export function curveOfJwk(crv: string | undefined): VaultCurve | undefined {
  switch (crv) {
    case 'P-256K':
      return { curve: 'secp256k1', algorithm: 'ES256K' };
    case 'SECP256K1':
      return { curve: 'secp256k1', algorithm: 'ECDSA256' };
    case 'P-256':
      return { curve: 'p256', algorithm: 'ES256' };
    default:
      return undefined;
  }
}
