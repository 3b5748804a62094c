import type { RetryVerdict } from '../retry.js';

/** The parts of the SDK's RestError we read, by shape: @azure/core-rest-pipeline is not our dependency. */
interface RestErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly response?: { readonly headers?: { get(name: string): string | undefined } };
}

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** A signature the vault answered that does not verify: retried, as the next one may be right. */
export class WrongSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WrongSignatureError';
  }
}

/**
 * A sign call that got no signature: an error answer (statusCode, the service's error code and
 * message, its headers for Retry-After) or, without statusCode, no answer at all (reset, refused,
 * TLS, DNS). Shaped like the SDK's RestError, so both are classified and described alike.
 */
export class VaultHttpError extends Error {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly response: { readonly headers: { get(name: string): string | undefined } } | undefined;

  constructor(message: string, details: { statusCode?: number; code?: string; headers?: { get(name: string): string | undefined } } = {}) {
    super(message);
    this.name = 'VaultHttpError';
    this.statusCode = details.statusCode;
    this.code = details.code;
    this.response = details.headers === undefined ? undefined : { headers: details.headers };
  }

  /** From an error answer: Key Vault says { error: { code, message } }. */
  static fromAnswer(status: number, body: unknown, headers: { get(name: string): string | undefined }): VaultHttpError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const message = typeof error?.message === 'string' ? error.message : `the vault answered HTTP ${status}`;
    return new VaultHttpError(message, { statusCode: status, ...(typeof error?.code === 'string' ? { code: error.code } : {}), headers });
  }
}

/**
 * Whether a failed Key Vault call may succeed if repeated: throttling (429, waiting as long as
 * Retry-After says), server errors, timeouts, cut connections and wrong signatures are; a
 * refusal (400/401/403/404/409) is an answer that repeating will not change.
 */
export function classifyVaultError(err: unknown): RetryVerdict {
  if (err instanceof WrongSignatureError) return { retry: true, reason: err.message };
  const e = (err ?? {}) as RestErrorShape;
  if (e.name === 'AbortError') return { retry: true, reason: 'request aborted (timeout)' };
  if (typeof e.statusCode === 'number') {
    if (!RETRIED_STATUSES.has(e.statusCode)) return { retry: false };
    const afterMs = e.statusCode === 429 || e.statusCode === 503 ? retryAfterMs(e) : undefined;
    return { retry: true, reason: describeVaultError(err), ...(afterMs === undefined ? {} : { afterMs }) };
  }
  // A name that does not resolve is the DNS's answer, not a fault: a mistyped vault URL fails
  // at once instead of after every retry of the listing deadline (a transient resolver failure
  // is EAI_AGAIN, which is retried below).
  if (e.code === 'ENOTFOUND') return { retry: false };
  // No status: the request never got an answer (reset, refused, TLS, DNS): a network fault.
  if (e.name === 'RestError' || err instanceof VaultHttpError) return { retry: true, reason: describeVaultError(err) };
  return { retry: false };
}

/** One line about a failed call, for logs and error messages (never a token or key material). */
export function describeVaultError(err: unknown): string {
  if (err instanceof Error && !('statusCode' in err) && !('code' in err)) return err.message;
  if (err instanceof VaultHttpError && err.statusCode === undefined) return `no answer: ${err.code ?? ''} ${err.message}`.replace('  ', ' ');
  const e = (err ?? {}) as RestErrorShape;
  const message = firstLine(e.message);
  if (e.code === 'ENOTFOUND') {
    const host = /ENOTFOUND (\S+)/.exec(message ?? '')?.[1];
    return `no such host${host === undefined ? '' : ` ${host}`} (ENOTFOUND): check the vault URL`;
  }
  // Node's network errors repeat their code in the message ("connect ECONNREFUSED …"): once is enough
  const code = e.code !== undefined && message?.includes(e.code) ? undefined : e.code;
  const parts = [e.statusCode === undefined ? undefined : `HTTP ${e.statusCode}`, code, message];
  return parts.filter((part) => part !== undefined && part !== '').join(' ') || String(err);
}

/** Retry-After as seconds or an HTTP date (Key Vault sends seconds), or x-ms-retry-after-ms. */
function retryAfterMs(err: RestErrorShape): number | undefined {
  const headers = err.response?.headers;
  const ms = Number(headers?.get('x-ms-retry-after-ms') ?? headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n')[0]?.slice(0, 300);
}
