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

export class TezsignerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TezsignerError';
    this.code = code;
  }
}

export function isTezsignerError(err: unknown, code?: ErrorCode): err is TezsignerError {
  return err instanceof TezsignerError && (code === undefined || err.code === code);
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
