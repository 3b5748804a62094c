import { TezsignerError, storeUnavailable } from '@tezsigner/core';

/** The deadline of a call passed before the database answered. */
export class DeadlineError extends Error {
  constructor() {
    super('deadline');
    this.name = 'DeadlineError';
  }
}

interface PgError {
  readonly code?: unknown;
  readonly message?: unknown;
}

/** A PostgreSQL server's SQLSTATE (five characters), or undefined for a client-side or network failure. */
export function sqlState(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as PgError).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Faults another attempt on a fresh connection may get past within the same deadline: the
 * connection refused, reset or closed under us (a restart of the database, a failover, an idle
 * connection cut), the server starting or shutting down, out of connections. Not a lock or
 * statement timeout: whatever held us holds the next attempt too.
 */
export function isTransient(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(state);
  return !(err instanceof DeadlineError) && !(err instanceof TezsignerError);
}

/** What a SQLSTATE means for the operator, for the few a store meets. */
const STATES: Readonly<Record<string, string>> = {
  '28P01': 'the password was refused',
  '28000': 'the role may not connect',
  '3D000': 'the database does not exist',
  '42501': 'permission denied (grant the role rights on the schema and its tables)',
  '42P01': 'a table is missing (was the schema dropped?)',
  '3F000': 'the schema is missing',
  '55P03': 'a lock was not granted in time (another session holds it)',
  '57014': 'the statement ran past its timeout',
  '25006': 'the server is read-only (a standby?)',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is starting up',
  '53300': 'too many connections',
};

/**
 * Every fault a call meets becomes STORE_UNAVAILABLE: the caller fails closed (no signature)
 * and a later call tries again. Messages name the database and schema, never the URL.
 */
export function toStoreError(err: unknown, where: string, timeoutMs: number, what: string): TezsignerError {
  if (err instanceof TezsignerError) return err;
  if (err instanceof DeadlineError) return storeUnavailable(`${what} in ${where} did not answer within ${timeoutMs} ms`);
  const state = sqlState(err);
  if (state !== undefined) {
    const meaning = STATES[state] ?? (typeof (err as PgError).message === 'string' ? String((err as PgError).message) : 'an error');
    return storeUnavailable(`${what} in ${where} failed: ${meaning} [${state}]`);
  }
  const code = typeof (err as PgError | undefined)?.code === 'string' ? String((err as PgError).code) : undefined;
  const message = err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
  return storeUnavailable(`cannot reach ${what} in ${where}: ${code ?? message}`);
}
