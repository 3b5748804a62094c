import type { EcdsaCurve } from '@tezsigner/core';

/** How Key Vault names the two curves Tezos shares with it, and the algorithm that signs a digest. */
export const VAULT_CURVES: Record<EcdsaCurve, { readonly jwk: 'P-256K' | 'P-256'; readonly algorithm: 'ES256K' | 'ES256' }> = {
  secp256k1: { jwk: 'P-256K', algorithm: 'ES256K' },
  p256: { jwk: 'P-256', algorithm: 'ES256' },
};

/**
 * The Tezos curve of a JWK curve name. Older API versions and tools answer SECP256K1 for what
 * newer ones call P-256K (the shared vectors hold a real key returned that way).
 */
export function curveOfJwk(crv: string | undefined): EcdsaCurve | undefined {
  switch (crv?.toUpperCase()) {
    case 'P-256K':
    case 'SECP256K1':
      return 'secp256k1';
    case 'P-256':
      return 'p256';
    default:
      return undefined;
  }
}
