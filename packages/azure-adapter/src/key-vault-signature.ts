import type { CryptographyClient } from '@azure/keyvault-keys';
import { normalizeEcdsaSignature, verifySignature, type SignInput } from '@tezsigner/core';
import { VAULT_CURVES } from './key-vault-curves.js';
import { WrongSignatureError } from './key-vault-error.js';
import type { VaultKey } from './key-vault-key.js';

/**
 * One signature from the vault (a single POST …/sign), in the form octez accepts (low-S r‖s),
 * checked against the key's public key before anyone sees it: a wrong answer from the service
 * must never reach a baker.
 */
export async function signInVault(
  key: VaultKey,
  client: CryptographyClient,
  input: SignInput,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const { result } = await client.sign(VAULT_CURVES[key.curve].algorithm, input.digest, { abortSignal: signal });
  let signature: Uint8Array;
  try {
    signature = normalizeEcdsaSignature(key.curve, result);
  } catch {
    throw new WrongSignatureError(`the vault answered ${result.length} bytes that are no ${key.curve} signature`);
  }
  if (!verifySignature(key.curve, key.publicKeyBytes, input.bytes, signature)) {
    throw new WrongSignatureError(`the vault's signature does not verify against ${key.pkh} (${key.name}/${key.version})`);
  }
  return signature;
}
