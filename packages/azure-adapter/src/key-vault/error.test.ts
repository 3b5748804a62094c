import { expect, test } from 'vitest';
import { WrongSignatureError, classifyVaultError, describeVaultError } from './error.js';

/** Shaped like the SDK's RestError (what classifyVaultError reads). */
function restError(statusCode: number | undefined, headers: Record<string, string> = {}, code?: string) {
  return Object.assign(new Error(`status ${statusCode}\nsecond line`), {
    name: 'RestError',
    statusCode,
    code,
    response: { headers: { get: (name: string) => headers[name.toLowerCase()] } },
  });
}

test('throttling waits as long as Retry-After says: seconds, an HTTP date, or milliseconds', () => {
  expect(classifyVaultError(restError(429, { 'retry-after': '2' }))).toMatchObject({ retry: true, afterMs: 2000 });
  const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
  const dated = classifyVaultError(restError(429, { 'retry-after': inFiveSeconds }));
  expect(dated.retry && dated.afterMs).toBeGreaterThan(3000);
  expect(dated.retry && dated.afterMs).toBeLessThanOrEqual(5000);
  expect(classifyVaultError(restError(429, { 'x-ms-retry-after-ms': '250', 'retry-after': '9' }))).toMatchObject({ afterMs: 250 });
  expect(classifyVaultError(restError(429))).toEqual({ retry: true, reason: 'HTTP 429 status 429' });
});

test('server errors, timeouts and network faults are retried; refusals are not', () => {
  for (const status of [408, 500, 502, 503, 504]) expect(classifyVaultError(restError(status)).retry).toBe(true);
  for (const status of [400, 401, 403, 404, 409]) expect(classifyVaultError(restError(status))).toEqual({ retry: false });
  expect(classifyVaultError(restError(undefined, {}, 'ECONNRESET'))).toMatchObject({ retry: true, reason: 'ECONNRESET status undefined' });
  expect(classifyVaultError(Object.assign(new Error('aborted'), { name: 'AbortError' })).retry).toBe(true);
  expect(classifyVaultError(new WrongSignatureError('does not verify'))).toEqual({ retry: true, reason: 'does not verify' });
  expect(classifyVaultError(new TypeError('a bug'))).toEqual({ retry: false });
});

test('describes an error on one line', () => {
  expect(describeVaultError(restError(403, {}, 'Forbidden'))).toBe('HTTP 403 Forbidden status 403');
  expect(describeVaultError(new WrongSignatureError('bad'))).toBe('bad');
});

/** As the SDK's HTTP client throws a network failure: the system code, and a message repeating it. */
const networkError = (code: string, message: string) => Object.assign(new Error(message), { name: 'RestError', code });

test('a host that does not resolve is not retried, and is said plainly', () => {
  const dns = networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND my-kv.vault.azure.nte');
  expect(classifyVaultError(dns)).toEqual({ retry: false });
  expect(describeVaultError(dns)).toBe('no such host my-kv.vault.azure.nte (ENOTFOUND): check the vault URL');
  // a resolver that could not answer may answer next time
  expect(classifyVaultError(networkError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN my-kv.vault.azure.net')).retry).toBe(true);
});

test('a code the message already holds is not said twice', () => {
  expect(describeVaultError(networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'))).toBe('connect ECONNREFUSED 127.0.0.1:443');
});
