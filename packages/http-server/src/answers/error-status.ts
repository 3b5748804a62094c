import { isTezsignerError, type ErrorCode } from '@tezsigner/core';

/** Codes the HTTP layer raises itself, for mistakes made before a request reaches core. */
export type HttpErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL';

export type ResponseErrorCode = ErrorCode | HttpErrorCode;

/**
 * The one place where an error code becomes an HTTP status. Clients (octez, Taquito) only
 * look at the status, so each refusal gets the status that says who must act: the caller
 * (4xx) or the operator (5xx).
 */
const STATUS: Readonly<Record<ResponseErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_ENCODING: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 403,
  POLICY_DENIED: 403,
  KEY_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  WATERMARK_REFUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // what a request asks of a key that cannot do it (a proof of possession of a tz1 key): the
  // caller's to change, so a 4xx; a 5xx would read as a fault of the signer
  NOT_SUPPORTED: 400,
  BACKEND_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  STORE_CORRUPT: 503,
  // too many requests wait for a person: consensus signing keeps its room
  OVERLOADED: 503,
  // A passphrase or configuration fault surfacing during a request is the operator's to fix.
  WRONG_PASSPHRASE: 500,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
};

/** An error the HTTP layer raises (unknown path, wrong content type, …). */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly error: { readonly code: ResponseErrorCode; readonly message: string } };
}

/** body-parser reports its failures as errors carrying a `type` and a `status`. */
function bodyParserError(err: unknown): ErrorResponse | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err) || typeof err.type !== 'string') return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return respond('BAD_REQUEST', 'the body is not valid JSON: send a JSON string of hex, e.g. "11…"');
    case 'entity.too.large': {
      const limit = 'limit' in err && typeof err.limit === 'number' ? ` (limit ${err.limit} bytes)` : '';
      return respond('PAYLOAD_TOO_LARGE', `the body is too large${limit}`);
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return respond('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return respond('BAD_REQUEST', 'the body could not be read');
    default:
      return undefined;
  }
}

/**
 * Faults the operator must fix are answered with what happened, not the error's own text: that
 * text may name the home folder, the vault URL or a backend's reply, and the caller may not even
 * be authenticated. The log line of the request keeps the whole message.
 */
const OPERATOR_FAULTS: Partial<Readonly<Record<ResponseErrorCode, string>>> = {
  BACKEND_UNAVAILABLE: 'the key backend did not answer: nothing was signed (details in the signer log)',
  STORE_UNAVAILABLE: 'the watermark store did not answer: nothing was signed (details in the signer log)',
  STORE_CORRUPT: 'the watermark store holds state it cannot read: nothing was signed (details in the signer log)',
  WRONG_PASSPHRASE: 'the signer cannot unlock its keys: nothing was signed (details in the signer log)',
  CONFIG_INVALID: 'the signer is misconfigured: nothing was signed (details in the signer log)',
};

function respond(code: ResponseErrorCode, message: string): ErrorResponse {
  return { status: STATUS[code], body: { error: { code, message } } };
}

/**
 * Turns anything thrown while serving a request into the answer sent. Unknown errors
 * become a bare 500: their messages may carry internals (paths, backend replies).
 */
export function errorResponse(err: unknown): ErrorResponse {
  if (isTezsignerError(err) || err instanceof HttpError) return respond(err.code, OPERATOR_FAULTS[err.code] ?? err.message);
  // The router decodes path parameters before any handler runs: a bad %-escape is the caller's
  // mistake, not an internal error. Its message echoes the raw path, so it is not passed on.
  if (err instanceof URIError) return respond('BAD_REQUEST', 'the path is not valid percent-encoding');
  return bodyParserError(err) ?? respond('INTERNAL', 'internal error');
}

export function statusOf(code: ResponseErrorCode): number {
  return STATUS[code];
}
