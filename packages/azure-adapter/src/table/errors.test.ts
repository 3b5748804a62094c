import { describe, expect, it } from 'vitest';
import { RestError } from '@azure/data-tables';
import { watermarkRefused } from '@tezsigner/core';
import { isRowMissing, isWriteConflict, toStoreError } from './errors.js';

const rest = (statusCode: number, errorCode?: string) => {
  const err = new RestError('boom', { statusCode });
  err.details = errorCode === undefined ? {} : { errorCode };
  return err;
};

describe('table error classification', () => {
  it('tells a missing row from a missing table', () => {
    expect(isRowMissing(rest(404, 'ResourceNotFound'))).toBe(true);
    expect(isRowMissing(rest(404, 'TableNotFound'))).toBe(false);
    expect(isRowMissing(rest(500))).toBe(false);
  });

  it('treats 409 and 412 (and nothing else) as a lost race', () => {
    expect(isWriteConflict(rest(409, 'EntityAlreadyExists'))).toBe(true);
    expect(isWriteConflict(rest(412, 'UpdateConditionNotSatisfied'))).toBe(true);
    expect(isWriteConflict(rest(404))).toBe(false);
    expect(isWriteConflict(rest(503))).toBe(false);
    expect(isWriteConflict(new Error('socket hang up'))).toBe(false);
  });

  it.each([
    ['a timeout', Object.assign(new Error('aborted'), { name: 'AbortError' }), /did not answer within 2500 ms/],
    ['a missing table', rest(404, 'TableNotFound'), /table marks does not exist/],
    ['a throttled call', rest(429, 'TooManyRequests'), /answered 429 TooManyRequests/],
    ['a forbidden call', rest(403, 'AuthorizationFailure'), /answered 403 AuthorizationFailure/],
    ['a refused connection', Object.assign(new RestError('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), /cannot reach .* ECONNREFUSED/],
    ['a thrown string', 'weird', /cannot reach watermark table marks: weird/],
  ])('maps %s to STORE_UNAVAILABLE', (_, err, message) => {
    const mapped = toStoreError(err, 'marks', 2500);
    expect(mapped.code).toBe('STORE_UNAVAILABLE');
    expect(mapped.message).toMatch(message);
  });

  it('says a timeout in the platform\'s name for it (TimeoutError, the original inside); no other failure does', () => {
    const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
    const cause = toStoreError(aborted, 'marks', 2500).cause as DOMException;
    expect([cause.name, cause.cause]).toEqual(['TimeoutError', aborted]);
    expect((toStoreError(rest(503, 'ServerBusy'), 'marks', 2500).cause as Error).name).not.toBe('TimeoutError');
  });

  it('passes our own errors through unchanged', () => {
    const refused = watermarkRefused('no');
    expect(toStoreError(refused, 'marks', 1)).toBe(refused);
  });
});
