import { describe, expect, it } from 'vitest';
import type { TokenCredential } from '@azure/core-auth';
import { isTezsignerError } from '@tezsigner/core';
import { createTableClient } from './client.js';
import { TableWatermarkStore } from './watermark-store.js';
import type { TableConnectionOptions } from './client.js';

const KEY = 'c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA==';
const credential: TokenCredential = { getToken: async () => ({ token: 'x', expiresOnTimestamp: Date.now() + 60_000 }) };
const local = `DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:10002/acct;`;

function failure(options: TableConnectionOptions): { code?: string; message: string } {
  try {
    createTableClient(options);
  } catch (err) {
    return isTezsignerError(err) ? { code: err.code, message: err.message } : { message: `raw ${String(err)}` };
  }
  return { message: 'no error' };
}

describe('createTableClient', () => {
  it('builds a client for an https account URL with a credential', () => {
    const client = createTableClient({ url: 'https://acct.table.core.windows.net', credential, tableName: 'marks01' });
    expect(client.url).toBe('https://acct.table.core.windows.net');
    expect(client.tableName).toBe('marks01');
  });

  it('builds a client for a loopback connection string and defaults the table name', () => {
    const client = createTableClient({ connectionString: local });
    expect(client.url).toBe('http://127.0.0.1:10002/acct');
    expect(client.tableName).toBe('tezsignerwatermarks');
  });

  it.each<[string, TableConnectionOptions, RegExp]>([
    ['nothing', {}, /exactly one/],
    ['both a URL and a connection string', { url: 'https://a.table.core.windows.net', credential, connectionString: local }, /exactly one/],
    ['a table name with a dash', { connectionString: local, tableName: 'tez-marks' }, /not a valid table name/],
    ['a two-letter table name', { connectionString: local, tableName: 'ab' }, /not a valid table name/],
    ['the reserved name "tables"', { connectionString: local, tableName: 'Tables' }, /not a valid table name/],
    ['plain http to another host', { url: 'http://acct.table.core.windows.net', credential }, /must be https/],
    ['a credential over loopback http', { url: 'http://127.0.0.1:10002/acct', credential }, /needs an https/],
    ['a URL that is not one', { url: 'not a url', credential }, /is not a URL/],
    [
      'a connection string to a remote http endpoint',
      { connectionString: local.replace('127.0.0.1:10002', 'example.org') },
      /must be https/,
    ],
  ])('refuses %s with CONFIG_INVALID', (_, options, message) => {
    const { code, message: text } = failure(options);
    expect(code).toBe('CONFIG_INVALID');
    expect(text).toMatch(message);
  });

  it('never echoes a connection string (it holds the account key)', () => {
    const { code, message } = failure({ connectionString: `AccountKey=${KEY};Nonsense` });
    expect(code).toBe('CONFIG_INVALID');
    expect(message).not.toContain(KEY);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses a store timeout of %s with CONFIG_INVALID', (timeoutMs) => {
    let code: string | undefined;
    try {
      new TableWatermarkStore({ connectionString: local, timeoutMs });
    } catch (err) {
      code = isTezsignerError(err) ? err.code : 'raw';
    }
    expect(code).toBe('CONFIG_INVALID');
  });
});
