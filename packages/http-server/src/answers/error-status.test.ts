import { ERROR_CODES, TezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { HttpError, errorResponse } from './error-status.js';

describe('errorResponse', () => {
  test.each([
    ['BAD_REQUEST', 400],
    ['INVALID_ENCODING', 400],
    ['AUTH_REQUIRED', 401],
    ['AUTH_INVALID', 403],
    ['POLICY_DENIED', 403],
    ['KEY_NOT_FOUND', 404],
    ['WATERMARK_REFUSED', 409],
    ['NOT_SUPPORTED', 400],
  ] as const)('%s answers %i with the code and message', (code, status) => {
    expect(errorResponse(new TezsignerError(code, `because ${code}`))).toEqual({
      status,
      body: { error: { code, message: `because ${code}` } },
    });
  });

  test.each([
    ['BACKEND_UNAVAILABLE', 503, /^the key backend did not answer/],
    ['STORE_UNAVAILABLE', 503, /^the watermark store did not answer/],
    ['STORE_CORRUPT', 503, /^the watermark store holds state it cannot read/],
    ['WRONG_PASSPHRASE', 500, /^the signer cannot unlock its keys/],
    ['CONFIG_INVALID', 500, /^the signer is misconfigured/],
  ] as const)('%s answers %i with what happened, never the fault\'s own text', (code, status, message) => {
    const answer = errorResponse(new TezsignerError(code, `cannot write /home/baker/.tezsigner/watermarks at https://v.vault.azure.net: ${code}`));
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toMatch(message);
    expect(answer.body.error.message).not.toMatch(/\/home|https?:|vault\.azure/);
  });

  test('every core code has a status between 400 and 599', () => {
    for (const code of ERROR_CODES) {
      const { status } = errorResponse(new TezsignerError(code, 'x'));
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  test('HTTP-level errors carry their own status', () => {
    expect(errorResponse(new HttpError('NOT_FOUND', 'no')).status).toBe(404);
    expect(errorResponse(new HttpError('METHOD_NOT_ALLOWED', 'no')).status).toBe(405);
    expect(errorResponse(new HttpError('UNSUPPORTED_MEDIA_TYPE', 'no')).status).toBe(415);
  });

  test('body-parser failures become 400 and 413', () => {
    expect(errorResponse(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 })).status).toBe(400);
    const tooLarge = errorResponse(Object.assign(new Error('request entity too large'), { type: 'entity.too.large', limit: 100 }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test("a path the router cannot decode (URIError) is the caller's 400, without echoing the path", () => {
    const decodeFailure = Object.assign(new URIError("Failed to decode param 'tz1%ZZ'"), { status: 400 });
    expect(errorResponse(decodeFailure)).toEqual({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'the path is not valid percent-encoding' } },
    });
  });

  test('an unknown error is a bare 500 that leaks nothing', () => {
    const answer = errorResponse(new Error('ENOENT: /home/baker/.tezsigner/keys/secret'));
    expect(answer).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
  });
});
