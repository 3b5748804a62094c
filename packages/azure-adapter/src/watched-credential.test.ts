import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AggregateAuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { CredentialError, watchCredential } from './watched-credential.js';

class SilentCredential implements TokenCredential {
  getToken(): Promise<AccessToken | null> {
    return new Promise(() => undefined);
  }
}

class ChainCredential implements TokenCredential {
  constructor(private readonly error: Error) {}
  async getToken(): Promise<AccessToken | null> {
    throw this.error;
  }
}

test('a credential that never answers is named, after the timeout', async () => {
  const started = performance.now();
  const err = await rejection(watchCredential(new SilentCredential(), 100).getToken('https://vault.azure.net/.default'));
  expect(err).toBeInstanceOf(CredentialError);
  expect((err as Error).message).toMatch(/^SilentCredential gave no token within 100 ms/);
  expect(performance.now() - started).toBeGreaterThanOrEqual(90);
});

test("of a chain, the credential that is set up and failed comes first, not the chain's last tool", async () => {
  const chain = new AggregateAuthenticationError(
    [
      new CredentialUnavailableError('EnvironmentCredential is unavailable. No underlying credential could be used.'),
      new CredentialUnavailableError(
        'ManagedIdentityCredential: Authentication failed. Message internal: Error(s): Not Available - Timestamp: Not Available - Description: endpoint broken - Correlation ID: Not Available - Trace ID: Not Available',
      ),
      new CredentialUnavailableError("Azure CLI could not be found. Please visit https://aka.ms/azure-cli and then run 'az login'."),
      new CredentialUnavailableError('Error: Unable to execute PowerShell. Ensure that it is installed in your system. PowerShell is not installed.'),
    ],
    'ChainedTokenCredential authentication failed.',
  );
  const err = await rejection(watchCredential(new ChainCredential(chain)).getToken('https://vault.azure.net/.default'));
  const [first, ...rest] = (err as Error).message.split('\n');
  expect(first).toBe('ChainCredential got no token: ManagedIdentityCredential: Authentication failed. Message internal: Description: endpoint broken');
  expect(rest).toHaveLength(3);
  expect(rest.every((line) => line.startsWith('  also tried: '))).toBe(true);
});

test('a token is passed through', async () => {
  const token = { token: 't', expiresOnTimestamp: Date.now() + 60_000 };
  const credential: TokenCredential = { getToken: async () => token };
  expect(await watchCredential(credential).getToken('s')).toBe(token);
});
