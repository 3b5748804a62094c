import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** How long a token may take before the credential is reported as the one not answering. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

/**
 * The credential got no token: which credential, and why, in the first line of the message
 * (what was also tried follows on the next lines). Not worth retrying here: a credential
 * retries on its own, and an unanswered token endpoint is not a vault fault.
 */
export class CredentialError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialError';
  }
}

/**
 * A credential that says which credential failed and why, and that gives up after `timeoutMs`:
 * a managed identity endpoint that accepts the connection and never answers would otherwise
 * hold every request (and the process) forever, reported only as a vault that does not answer.
 */
export function watchCredential(credential: TokenCredential, timeoutMs = DEFAULT_TOKEN_TIMEOUT_MS): TokenCredential {
  if (credential instanceof WatchedCredential) return credential;
  return new WatchedCredential(credential, timeoutMs);
}

class WatchedCredential implements TokenCredential {
  private readonly name: string;

  constructor(
    private readonly inner: TokenCredential,
    private readonly timeoutMs: number,
  ) {
    this.name = inner.constructor.name === 'Object' ? 'the Azure credential' : inner.constructor.name;
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CredentialError(`${this.name} gave no token within ${this.timeoutMs} ms (its token endpoint accepts no connection or never answers)`)),
        this.timeoutMs,
      );
      // a token being late is no reason for the process to stay alive
      timer.unref();
    });
    try {
      return await Promise.race([this.inner.getToken(scopes, options), timedOut]);
    } catch (err) {
      if (err instanceof CredentialError) throw err;
      throw new CredentialError(`${this.name} got no token: ${describeCredentialFailure(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

// what a credential of a chain says when it is simply not set up on this machine
const NOT_SET_UP =
  /is unavailable|could not be found|couldn't be found|not installed|az login|Connect-AzAccount|azd auth login|not logged in|No managed identity endpoint found|IMDS endpoint .*not available|environment variables are not/i;

/**
 * The credential that failed and why, first: of a chain (DefaultAzureCredential), the first
 * credential that is set up here and failed, rather than the last one tried (often the Azure
 * CLI or PowerShell, which a server never has); the others follow on their own lines.
 */
export function describeCredentialFailure(err: unknown): string {
  const errors = (err as { errors?: unknown }).errors;
  if ((err as Error).name === 'AggregateAuthenticationError' && Array.isArray(errors) && errors.length > 0) {
    const lines = errors.map((sub) => firstLine(sub));
    const lead = lines.find((line) => !NOT_SET_UP.test(line)) ?? lines[0] ?? '';
    const others = lines.filter((line) => line !== lead).map((line) => `\n  also tried: ${line}`);
    return `${lead}${others.join('')}`;
  }
  return firstLine(err);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // MSAL pads its messages with fields it does not have
  return (text.split('\n')[0] ?? '').replace(/ - (?:Error\(s\)|Timestamp|Correlation ID|Trace ID): Not Available/g, '').replace(/Error\(s\): Not Available - /g, '').trim();
}
