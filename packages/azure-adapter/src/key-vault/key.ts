import type { KeyVaultKey } from '@azure/keyvault-keys';
import { encodePublicKey, isTezsignerError, publicKeyHash, type EcdsaCurve } from '@tezsigner/core';
import { compressJwkPoint } from './jwk.js';
import { curveOfJwk, type VaultCurve } from './curves.js';

/** A vault key version tezsigner can sign with, and the Tezos identity it has. */
export interface VaultKey {
  readonly name: string;
  readonly version: string;
  readonly curve: EcdsaCurve;
  /** what the vault signs a digest with, for the curve name this key reports */
  readonly algorithm: VaultCurve['algorithm'];
  /** EC-HSM; a plain EC key is software-protected: the vault's own software holds its secret */
  readonly hardwareProtected: boolean;
  /** compressed, 33 bytes */
  readonly publicKeyBytes: Uint8Array;
  /** sppk… / p2pk… */
  readonly publicKey: string;
  /** tz2… / tz3… */
  readonly pkh: string;
}

export type VaultKeyVerdict = { readonly usable: VaultKey } | { readonly skipped: string };

/** Said in listings and at start about a key whose secret is not in an HSM. */
export const SOFTWARE_PROTECTED =
  'software-protected (key type EC, not EC-HSM): its secret is kept by the vault software, not an HSM; keys made by `tezsigner azure keys create` or moved in by `tezsigner azure keys import` are EC-HSM';

/** Whether a vault key can be a Tezos key here; if not, the one reason said in logs and listings. */
export function toVaultKey(key: KeyVaultKey, now = new Date()): VaultKeyVerdict {
  const jwk = key.key;
  const { enabled, notBefore, expiresOn, version } = key.properties;
  if (enabled === false) return { skipped: 'disabled' };
  if (jwk === undefined || version === undefined) return { skipped: 'the vault returned no public key for it' };
  if (jwk.kty !== 'EC' && jwk.kty !== 'EC-HSM') return { skipped: `key type ${jwk.kty ?? 'unknown'} (only EC keys sign for Tezos)` };
  const vaultCurve = curveOfJwk(jwk.crv);
  if (vaultCurve === undefined) return { skipped: `curve ${jwk.crv ?? 'unknown'} (Tezos uses P-256K for tz2 and P-256 for tz3)` };
  if (key.keyOperations !== undefined && !key.keyOperations.includes('sign')) return { skipped: 'its key_ops do not allow sign' };
  if (notBefore !== undefined && now < notBefore) return { skipped: `not valid before ${notBefore.toISOString()}` };
  if (expiresOn !== undefined && now > expiresOn) return { skipped: `expired on ${expiresOn.toISOString()}` };
  const { curve, algorithm } = vaultCurve;
  try {
    const publicKeyBytes = compressJwkPoint(jwk.x, jwk.y);
    return {
      usable: {
        name: key.name,
        version,
        curve,
        algorithm,
        hardwareProtected: jwk.kty === 'EC-HSM',
        publicKeyBytes,
        publicKey: encodePublicKey(curve, publicKeyBytes),
        pkh: publicKeyHash(curve, publicKeyBytes),
      },
    };
  } catch (err) {
    if (isTezsignerError(err)) return { skipped: `its public key is not valid: ${err.message}` };
    throw err;
  }
}
