/**
 * The one family of errors tezsigner raises. Adapters map `code` to their own
 * vocabulary (the HTTP server to statuses) in one place; the message is for people.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_ENCODING',
  'KEY_NOT_FOUND',
  'POLICY_DENIED',
  'WATERMARK_REFUSED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'NOT_SUPPORTED',
  'WRONG_PASSPHRASE',
  'BACKEND_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'STORE_CORRUPT',
  'CONFIG_INVALID',
  'OVERLOADED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The mark every TezsignerError carries, under a key of the global symbol registry: npm may
 * install a second copy of core beside the first (another version, nested under an adapter), and
 * `instanceof` against one copy's class says no to the other's errors. Every copy shares this key.
 */
const BRAND = Symbol.for('tezsigner.error');
const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export class TezsignerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TezsignerError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `err instanceof TezsignerError` holds for the errors of every copy of core in the process,
   * not only this one's (subclasses keep the usual prototype check).
   */
  static override [Symbol.hasInstance](value: unknown): value is TezsignerError {
    if (this !== TezsignerError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isBranded(value);
  }
}

function isBranded(value: unknown): value is TezsignerError {
  if (!(value instanceof Error)) return false;
  const branded = value as Error & { [BRAND]?: unknown; code?: unknown };
  return branded[BRAND] === true && typeof branded.code === 'string' && KNOWN_CODES.has(branded.code);
}

/** Whether `err` is a TezsignerError (of any copy of core), and of `code` when one is given. */
export function isTezsignerError(err: unknown, code?: ErrorCode): err is TezsignerError {
  return isBranded(err) && (code === undefined || err.code === code);
}

export const badRequest = (message: string) => new TezsignerError('BAD_REQUEST', message);
export const invalidEncoding = (message: string) => new TezsignerError('INVALID_ENCODING', message);
export const keyNotFound = (pkh: string) => new TezsignerError('KEY_NOT_FOUND', `no key ${pkh} in this signer`);
export const policyDenied = (message: string) => new TezsignerError('POLICY_DENIED', message);
export const watermarkRefused = (message: string) => new TezsignerError('WATERMARK_REFUSED', message);
export const notSupported = (message: string) => new TezsignerError('NOT_SUPPORTED', message);
export const backendUnavailable = (message: string, cause?: unknown) =>
  new TezsignerError('BACKEND_UNAVAILABLE', message, { cause });
export const storeUnavailable = (message: string, cause?: unknown) =>
  new TezsignerError('STORE_UNAVAILABLE', message, { cause });
export const configInvalid = (message: string, cause?: unknown) =>
  new TezsignerError('CONFIG_INVALID', message, { cause });
export const storeCorrupt = (message: string, cause?: unknown) =>
  new TezsignerError('STORE_CORRUPT', message, { cause });
