// What a module's errors mean for the session and the token that raised them.

/** CKR_* names the binding puts in an error's message; `code` carries the number. */
const SESSION_LOST = new Set(['CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_OPERATION_ACTIVE']);
const TOKEN_LOST = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
  'CKR_GENERAL_ERROR',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
]);

export function ckrName(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /\b(CKR_[A-Z_]+)/.exec(err.message)?.[1];
}

/**
 * `session`: this session is no longer usable (drop it, a new one will do); `token`: the token
 * or the module's view of it is gone (drop every session and reinitialize before the next use);
 * `call`: the call failed but the session stays good.
 */
export function failureScope(err: unknown): 'session' | 'token' | 'call' {
  // a listed key not found, and no private key on the token at all: the module lost the token
  // (SoftHSM2 shows an empty token when its files go away); a key missing or twice is the call's
  const lookup = err as { found?: unknown; tokenKeys?: unknown };
  if (lookup.found !== undefined) return lookup.found === 0 && lookup.tokenKeys === 0 ? 'token' : 'call';
  const name = ckrName(err);
  if (name === undefined) return 'call';
  if (TOKEN_LOST.has(name)) return 'token';
  if (SESSION_LOST.has(name)) return 'session';
  return 'call';
}

/** `C_Sign: CKR_DEVICE_ERROR`; the message alone when the binding named no function (never `: CKR_…`). */
export function describePkcs11Error(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const method = (err as { method?: unknown }).method;
  return typeof method === 'string' && method !== '' ? `${method}: ${err.message}` : err.message;
}
