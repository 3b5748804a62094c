import { isTezsignerError } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { resolveVaultUrl, sdkOptions } from './connection.js';

const configError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isTezsignerError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
};

test('the vault URL comes from the flag, else AZURE_KEYVAULT_URI, normalized to its origin', () => {
  expect(resolveVaultUrl('https://a.vault.azure.net/', { AZURE_KEYVAULT_URI: 'https://b.vault.azure.net' })).toBe('https://a.vault.azure.net');
  expect(resolveVaultUrl(undefined, { AZURE_KEYVAULT_URI: ' https://b.managedhsm.azure.net ' })).toBe('https://b.managedhsm.azure.net');
});

test('a missing or malformed vault URL is CONFIG_INVALID with a hint', () => {
  expect(configError(() => resolveVaultUrl(undefined, {}))).toMatch(/--azure-vault-url.*AZURE_KEYVAULT_URI/);
  expect(configError(() => resolveVaultUrl('http://a.vault.azure.net', {}))).toMatch(/https/);
  expect(configError(() => resolveVaultUrl('https://a.vault.azure.net/keys/x', {}))).toMatch(/https:\/\/<name>/);
  expect(configError(() => resolveVaultUrl('a.vault.azure.net', {}))).toMatch(/not a URL/);
});

test("the SDK's own retries are always off (ours are bounded by a deadline), other options kept", () => {
  const options = sdkOptions({ retryOptions: { maxRetries: 5, retryDelayInMs: 10 }, disableChallengeResourceVerification: true });
  expect(options).toEqual({ retryOptions: { maxRetries: 0, retryDelayInMs: 10 }, disableChallengeResourceVerification: true });
  expect(sdkOptions(undefined).retryOptions?.maxRetries).toBe(0);
});
