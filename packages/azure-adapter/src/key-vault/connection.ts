import type { TokenCredential } from '@azure/core-auth';
import { KeyClient, type KeyClientOptions } from '@azure/keyvault-keys';
import type { Agent } from 'node:https';
import { TezsignerError } from '@tezsigner/core';
import { VaultChannel } from './channel.js';
import { watchCredential } from '../watched-credential.js';

/** Where the vault is and who we are to it. */
export interface VaultConnection {
  /** https://<name>.vault.azure.net or https://<name>.managedhsm.azure.net */
  readonly vaultUrl: string;
  readonly credential: TokenCredential;
  /**
   * SDK options (proxy, TLS trust, user agent, disableChallengeResourceVerification…). Retries
   * are tezsigner's own, bounded by a deadline, so the SDK's retry policy is always turned off.
   */
  readonly clientOptions?: KeyClientOptions | undefined;
}

/** A fresh copy per client: the SDK writes into the options object it is given. */
export function sdkOptions(options: KeyClientOptions | undefined): KeyClientOptions {
  return { ...options, retryOptions: { ...options?.retryOptions, maxRetries: 0 } };
}

/** A KeyClient (listing, admin); with `agent`, on the same sockets as the vault's signatures. */
export function createKeyClient(connection: VaultConnection, agent?: Agent): KeyClient {
  const options = sdkOptions(connection.clientOptions);
  return new KeyClient(checkVaultUrl(connection.vaultUrl), watchCredential(connection.credential), agent === undefined ? options : { ...options, agent });
}

/** The sign path's connection to the vault, with the TLS and challenge settings the SDK is given. */
export function createVaultChannel(connection: VaultConnection, maxSockets?: number): VaultChannel {
  const options = connection.clientOptions;
  return new VaultChannel({
    credential: watchCredential(connection.credential),
    ...(options?.tlsOptions === undefined ? {} : { tls: options.tlsOptions }),
    ...(maxSockets === undefined ? {} : { maxSockets }),
    ...(options?.disableChallengeResourceVerification === undefined ? {} : { disableChallengeResourceVerification: options.disableChallengeResourceVerification }),
  });
}

/** The vault URL without a trailing slash; CONFIG_INVALID unless it is an https URL with no path. */
export function checkVaultUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TezsignerError('CONFIG_INVALID', `the vault URL ${JSON.stringify(text)} is not a URL (expected https://<name>.vault.azure.net)`);
  }
  if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw new TezsignerError('CONFIG_INVALID', `the vault URL must look like https://<name>.vault.azure.net, got ${JSON.stringify(text)}`);
  }
  return url.origin;
}

/**
 * The vault URL from the command line, else from AZURE_KEYVAULT_URI (the seed project's
 * variable); CONFIG_INVALID when neither is set.
 */
export function resolveVaultUrl(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const value = explicit ?? env['AZURE_KEYVAULT_URI'];
  if (value === undefined || value.trim() === '') {
    throw new TezsignerError('CONFIG_INVALID', 'no vault URL: pass --azure-vault-url or set AZURE_KEYVAULT_URI');
  }
  return checkVaultUrl(value.trim());
}
