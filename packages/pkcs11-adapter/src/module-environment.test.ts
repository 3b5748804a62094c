import { expect, test } from 'vitest';
import { moduleEnvironment } from './module-environment.js';

test("the module's host gets the module's settings, never the signer's secrets or Node options", () => {
  const env = moduleEnvironment({
    SOFTHSM2_CONF: '/etc/softhsm2.conf',
    YUBIHSM_PKCS11_CONF: '/etc/yubihsm_pkcs11.conf',
    PATH: '/usr/bin',
    TEZSIGNER_PKCS11_PIN: '1234',
    TEZSIGNER_PASSPHRASE: 'vault',
    AZURE_TABLE_CONNECTION_STRING: 'AccountKey=x',
    AZURE_CLIENT_SECRET: 'y',
    NODE_OPTIONS: '--import tsx',
  });
  expect(env).toEqual({ SOFTHSM2_CONF: '/etc/softhsm2.conf', YUBIHSM_PKCS11_CONF: '/etc/yubihsm_pkcs11.conf', PATH: '/usr/bin' });
});
