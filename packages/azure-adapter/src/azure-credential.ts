import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * The production credential: DefaultAzureCredential, which on an Azure VM uses its managed
 * identity (environment variables, workload identity and the Azure CLI login come first when
 * present). `clientId` picks a user-assigned managed identity. Tests never call this: they
 * inject a static TokenCredential.
 */
export function createAzureCredential(options: { readonly clientId?: string | undefined } = {}): TokenCredential {
  const { clientId } = options;
  return new DefaultAzureCredential({
    ...(clientId === undefined ? {} : { managedIdentityClientId: clientId, workloadIdentityClientId: clientId }),
    // Its own default (5 retries from 800 ms, about 20 s) outlasts the time tezsigner gives a
    // token, and a failing identity endpoint was then reported as a timeout instead of its answer.
    retryOptions: { maxRetries: 2, retryDelayInMs: 500 },
  });
}
