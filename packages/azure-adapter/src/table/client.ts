import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import { TezsignerError } from '@tezsigner/core';
import { createAzureCredential } from '../azure-credential.js';

/** How the table store reaches its table: exactly one of `url`, `connectionString` or `client`. */
export interface TableConnectionOptions {
  /** Account endpoint, e.g. `https://<account>.table.core.windows.net`; signs in with `credential`. */
  readonly url?: string | undefined;
  /** Defaults to DefaultAzureCredential (managed identity on an Azure VM), built only when needed. */
  readonly credential?: TokenCredential | undefined;
  /** An Azure Storage connection string (shared key); used for Azurite and key-based setups. */
  readonly connectionString?: string | undefined;
  /** A TableClient you configured yourself (proxy, pipeline policies); its table name is used. */
  readonly client?: TableClient | undefined;
  /** Defaults to `tezsignerwatermarks`. */
  readonly tableName?: string | undefined;
  /** SDK options (proxy, TLS trust, user agent); retries and plain-HTTP policy stay tezsigner's. */
  readonly clientOptions?: TableServiceClientOptions | undefined;
}

export const DEFAULT_TABLE_NAME = 'tezsignerwatermarks';

/**
 * The SDK retries for tens of seconds by default; a baker needs an answer (or a refusal)
 * within its round, so a few quick retries and then fail closed. The caller's deadline caps
 * the whole call anyway, including any Retry-After the service asks for.
 */
const RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 500 } as const;

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const configInvalid = (message: string) => new TezsignerError('CONFIG_INVALID', message);

/** Plain HTTP only to this machine (Azurite): a table holding watermarks is not sent in clear. */
function insecureAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configInvalid(`the table URL ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol === 'https:') return false;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return true;
  throw configInvalid(`the table URL must be https (plain http only to loopback), got ${parsed.protocol}//${parsed.host}`);
}

/** A fresh object per client: the SDK writes into the options it is given. */
function sdkOptions(given: TableServiceClientOptions | undefined, allowInsecureConnection: boolean): TableServiceClientOptions {
  return { ...given, retryOptions: { ...RETRY_OPTIONS }, allowInsecureConnection };
}

function fromConnectionString(connectionString: string, tableName: string, given: TableServiceClientOptions | undefined): TableClient {
  let client: TableClient;
  try {
    client = TableClient.fromConnectionString(connectionString, tableName, sdkOptions(given, false));
  } catch {
    // Never echo the string: it holds the account key.
    throw configInvalid('the table connection string is not a valid Azure Storage connection string');
  }
  return insecureAllowed(client.url)
    ? TableClient.fromConnectionString(connectionString, tableName, sdkOptions(given, true))
    : client;
}

export function createTableClient(options: TableConnectionOptions): TableClient {
  const given = [options.url, options.connectionString, options.client].filter((o) => o !== undefined).length;
  if (given !== 1) throw configInvalid('give the watermark table exactly one of a URL, a connection string or a client');
  if (options.client !== undefined) return options.client;
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  if (!TABLE_NAME.test(tableName) || tableName.toLowerCase() === 'tables') {
    throw configInvalid(`${JSON.stringify(tableName)} is not a valid table name (3-63 letters or digits, starting with a letter)`);
  }
  if (options.connectionString !== undefined) return fromConnectionString(options.connectionString, tableName, options.clientOptions);
  const url = options.url as string;
  if (insecureAllowed(url)) throw configInvalid('signing in with a credential needs an https table URL');
  const credential = options.credential ?? createAzureCredential();
  return new TableClient(url, tableName, credential, sdkOptions(options.clientOptions, false));
}
