import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { generate } from 'selfsigned';
import { isTezsignerError } from '@tezsigner/core';
import type { WatermarkKey } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';

/**
 * The production path: an https account URL and a TokenCredential (managed identity in
 * Azure). Azurite's `--oauth basic` checks each bearer token's issuer, audience and lifetime
 * (not its signature), so a static credential stands in for DefaultAzureCredential.
 */
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function unsignedJwt(audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: audience, iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/', nbf: now - 60, iat: now - 60, exp: now + 3600 };
  return `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${Buffer.from('not-checked').toString('base64url')}`;
}

class StaticCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(readonly token: string) {}
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(typeof scopes === 'string' ? [scopes] : scopes));
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

let azurite: Azurite;
let ca: string;
beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  ca = pems.cert;
  azurite = await startAzurite({ tls: { cert: pems.cert, key: pems.private } });
});
afterAll(async () => {
  await azurite?.stop();
});

const key: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz3WEJYwJ6pPwVbSL8FrSoAXRmFHHZTuEnMA', kind: 'preattestation' };
const signed = { level: 9, round: 0, hash: 'ab'.repeat(32), signature: 'edsigNine' };

describe('TableWatermarkStore with a TokenCredential over https', () => {
  it('signs in with a bearer token for the storage scope and works', async () => {
    const credential = new StaticCredential(unsignedJwt('https://storage.azure.com'));
    const store = new TableWatermarkStore({ url: azurite.tableEndpoint, credential, tableName: 'tokenmarks', clientOptions: { tlsOptions: { ca } } });
    await expect(store.commit(key, signed)).resolves.toEqual({ committed: true });
    expect(await store.list()).toEqual([{ key, watermark: signed }]);
    expect(credential.scopes).toContain('https://storage.azure.com/.default');
  });

  it('fails closed with STORE_UNAVAILABLE when the token is refused', async () => {
    const credential = new StaticCredential(unsignedJwt('https://vault.azure.net'));
    const store = new TableWatermarkStore({ url: azurite.tableEndpoint, credential, tableName: 'tokenmarks', clientOptions: { tlsOptions: { ca } } });
    let error: unknown;
    await store.commit(key, { ...signed, level: 10 }).catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/answered 40[13]/);
  });

  it('does not trust a certificate it was not told to trust', async () => {
    const store = new TableWatermarkStore({ url: azurite.tableEndpoint, credential: new StaticCredential(unsignedJwt('https://storage.azure.com')), tableName: 'tokenmarks' });
    let error: unknown;
    await store.list().catch((err: unknown) => (error = err));
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
  });
});
