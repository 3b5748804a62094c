import { TezsignerError, storeUnavailable } from '@tezsigner/core';

interface SdkError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly details?: { readonly errorCode?: unknown };
}

function asSdkError(err: unknown): SdkError {
  return typeof err === 'object' && err !== null ? (err as SdkError) : {};
}

/** The Table service's own error code (`ResourceNotFound`, `TableNotFound`, …), if it answered one. */
export function tableErrorCode(err: unknown): string | undefined {
  const code = asSdkError(err).details?.errorCode;
  return typeof code === 'string' ? code : undefined;
}

export function statusOf(err: unknown): number | undefined {
  const status = asSdkError(err).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The row does not exist (as opposed to the table, which is an outage of the store). */
export function isRowMissing(err: unknown): boolean {
  return statusOf(err) === 404 && tableErrorCode(err) !== 'TableNotFound';
}

/** Someone else wrote first: 409 on insert-if-absent, 412 on update-if-ETag-matches. */
export function isWriteConflict(err: unknown): boolean {
  const status = statusOf(err);
  return status === 409 || status === 412;
}

/**
 * Everything else the store can meet becomes STORE_UNAVAILABLE: the caller fails closed
 * (no signature) and a later call tries again. Messages name the table, never credentials.
 */
export function toStoreError(err: unknown, table: string, timeoutMs: number, what = 'watermark table'): TezsignerError {
  if (err instanceof TezsignerError) return err;
  const e = asSdkError(err);
  if (e.name === 'AbortError' || e.name === 'TimeoutError') {
    // the only abort here is the call's deadline: said in the platform's name for it, for the metrics
    const message = `${what} ${table} did not answer within ${timeoutMs} ms`;
    return storeUnavailable(message, new DOMException(message, { name: 'TimeoutError', cause: err }));
  }
  const status = statusOf(err);
  const code = tableErrorCode(err);
  if (code === 'TableNotFound') {
    return storeUnavailable(`${what} ${table} does not exist (create it, or let tezsigner create it)`, err);
  }
  if (status !== undefined) {
    return storeUnavailable(`${what} ${table} answered ${status}${code === undefined ? '' : ` ${code}`}`, err);
  }
  const why = typeof e.code === 'string' ? e.code : typeof e.message === 'string' ? e.message : String(err);
  return storeUnavailable(`cannot reach ${what} ${table}: ${why}`, err);
}
