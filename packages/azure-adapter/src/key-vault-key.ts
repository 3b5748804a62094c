import type { KeyVaultKey } from '@azure/keyvault-keys';
import { encodePublicKey, isTezsignerError, publicKeyHash, type EcdsaCurve } from '@tezsigner/core';
import { compressJwkPoint } from './jwk.js';
import { curveOfJwk } from './key-vault-curves.js';

/** A vault key version tezsigner can sign with, and the Tezos identity it has. */
export interface VaultKey {
  readonly name: string;
  readonly version: string;
  readonly curve: EcdsaCurve;
  /** compressed, 33 bytes */
  readonly publicKeyBytes: Uint8Array;
  /** sppk… / p2pk… */
  readonly publicKey: string;
  /** tz2… / tz3… */
  readonly pkh: string;
  /** the key as the SDK returned it: a CryptographyClient built from it never fetches it again */
  readonly key: KeyVaultKey;
}

export type VaultKeyVerdict = { readonly usable: VaultKey } | { readonly skipped: string };

/** Whether a vault key can be a Tezos key here; if not, the one reason said in logs and listings. */
export function toVaultKey(key: KeyVaultKey, now = new Date()): VaultKeyVerdict {
  const jwk = key.key;
  const { enabled, notBefore, expiresOn, version } = key.properties;
  if (enabled === false) return { skipped: 'disabled' };
  if (jwk === undefined || version === undefined) return { skipped: 'the vault returned no public key for it' };
  if (jwk.kty !== 'EC' && jwk.kty !== 'EC-HSM') return { skipped: `key type ${jwk.kty ?? 'unknown'} (only EC keys sign for Tezos)` };
  const curve = curveOfJwk(jwk.crv);
  if (curve === undefined) return { skipped: `curve ${jwk.crv ?? 'unknown'} (Tezos uses P-256K for tz2 and P-256 for tz3)` };
  if (key.keyOperations !== undefined && !key.keyOperations.includes('sign')) return { skipped: 'its key_ops do not allow sign' };
  if (notBefore !== undefined && now < notBefore) return { skipped: `not valid before ${notBefore.toISOString()}` };
  if (expiresOn !== undefined && now > expiresOn) return { skipped: `expired on ${expiresOn.toISOString()}` };
  try {
    const publicKeyBytes = compressJwkPoint(jwk.x, jwk.y);
    return {
      usable: {
        name: key.name,
        version,
        curve,
        publicKeyBytes,
        publicKey: encodePublicKey(curve, publicKeyBytes),
        pkh: publicKeyHash(curve, publicKeyBytes),
        key,
      },
    };
  } catch (err) {
    if (isTezsignerError(err)) return { skipped: `its public key is not valid: ${err.message}` };
    throw err;
  }
}
