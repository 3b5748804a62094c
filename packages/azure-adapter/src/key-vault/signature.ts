import { normalizeEcdsaSignature, verifySignature, type SignInput } from '@tezsigner/core';
import type { SignEndpoint, VaultChannel } from './channel.js';
import { WrongSignatureError } from './error.js';
import type { VaultKey } from './key.js';

/**
 * One signature from the vault (a single POST …/sign), in the form octez accepts (low-S r‖s),
 * checked against the key's public key before anyone sees it: a wrong answer from the service
 * must never reach a baker.
 */
export async function signInVault(
  key: VaultKey,
  channel: VaultChannel,
  endpoint: SignEndpoint,
  input: SignInput,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const result = await channel.sign(endpoint, key.algorithm, input.digest, signal);
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
