import { TezsignerError, decodePublicKey, isAddress, publicKeyHash } from '@tezsigner/core';

/**
 * The address of an authorized key, or CONFIG_INVALID saying `where` the bad key was given.
 * Authorized keys are public keys, not addresses: an address cannot verify a signature.
 */
export function authorizedKeyHash(key: string, where: string): string {
  if (isAddress(key)) {
    throw new TezsignerError(
      'CONFIG_INVALID',
      `${where}: ${key} is an address; authorized keys must be public keys (edpk…, sppk…, p2pk…, BLpk…) since only a public key can verify a signature (octez-client show address <alias> prints it)`,
    );
  }
  let decoded: ReturnType<typeof decodePublicKey>;
  try {
    decoded = decodePublicKey(key);
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `${where}: ${JSON.stringify(key)} is not a public key (edpk…, sppk…, p2pk… or BLpk…)`, { cause: err });
  }
  return publicKeyHash(decoded.curve, decoded.bytes);
}
