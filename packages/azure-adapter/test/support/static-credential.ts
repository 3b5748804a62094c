import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** The scope the Key Vault challenge asks for (resource https://vault.azure.net). */
export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';

/**
 * A TokenCredential that hands out one fixed token: the only credential tests use, so no test
 * ever reaches for managed identity, the Azure CLI or the network. It records the scopes it
 * was asked for, to check the SDK ran the challenge handshake as against a real vault.
 */
export class StaticTokenCredential implements TokenCredential {
  readonly requestedScopes: string[][] = [];

  constructor(readonly token: string) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.requestedScopes.push(typeof scopes === 'string' ? [scopes] : [...scopes]);
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}
