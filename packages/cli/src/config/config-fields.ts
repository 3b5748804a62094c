import { DEFAULT_HTTP_LIMITS, DEFAULT_MAX_HELD, DEFAULT_READINESS_DEADLINE_MS, DEFAULT_SHUTDOWN_GRACE_MS } from '@tezsigner/http-server';
import { DEFAULT_SIGN_DEADLINE_MS, DEFAULT_TABLE_NAME } from '@tezsigner/azure-adapter';
import { DEFAULT_MAGIC_BYTES, formatMagicByte } from '@tezsigner/core';
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV } from '@tezsigner/local-adapter';
import { DEFAULT_PKCS11_DEADLINE_MS, PIN_ENV } from '@tezsigner/pkcs11-adapter';
import { DEFAULT_POSTGRES_SCHEMA } from '@tezsigner/postgres-adapter';

/**
 * One setting: where it sits in the configuration file, which `serve` option it feeds (none
 * for file-only settings, which have their own default), and which environment variables set
 * it. `secret` values are never printed.
 */
export interface ConfigField {
  /** the path in the file, dotted: `listen.port` */
  readonly key: string;
  /** commander's attribute name of the flag (`port` for --port) */
  readonly option?: string;
  /** the flag, for people */
  readonly flag?: string;
  /** variables that set it when no flag does, first set wins */
  readonly env?: readonly string[];
  readonly secret?: boolean;
  /** variables whose value is secret even when the setting is not */
  readonly secretEnv?: readonly string[];
  /** for file-only settings */
  readonly defaultValue?: unknown;
  /** what serve does when nothing sets it (no flag default), given the home it uses */
  readonly whenUnset?: (home: string) => string;
}

const TABLE_CONNECTION_STRING_ENV = 'AZURE_TABLE_CONNECTION_STRING';
const VAULT_URL_ENV = 'AZURE_KEYVAULT_URI';
const POSTGRES_URL_ENV = 'TEZSIGNER_POSTGRES_URL';

const says = (text: string) => (): string => text;
const limit = (name: string, value: number): ConfigField => ({ key: `limits.${name}`, defaultValue: value });

export const CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'home', option: 'home', flag: '--home', env: ['TEZSIGNER_HOME'], whenUnset: (home) => home },
  { key: 'vault', option: 'vault', flag: '--vault' },
  { key: 'passphrase-file', option: 'passphraseFile', flag: '--passphrase-file', env: [PASSPHRASE_ENV, PASSPHRASE_FILE_ENV], secretEnv: [PASSPHRASE_ENV], whenUnset: (home) => `${home}/passphrase, else asked on the terminal` },
  { key: 'azure.vault-url', option: 'azureVaultUrl', flag: '--azure-vault-url', env: [VAULT_URL_ENV], whenUnset: says('none (needed with vault: azure)') },
  { key: 'azure.client-id', option: 'azureClientId', flag: '--azure-client-id', whenUnset: says('the system-assigned managed identity') },
  { key: 'azure.keys', option: 'azureKey', flag: '--azure-key', whenUnset: says('every key of the vault') },
  { key: 'azure.deadline-ms', option: 'azureDeadlineMs', flag: '--azure-deadline-ms', whenUnset: says(String(DEFAULT_SIGN_DEADLINE_MS)) },
  { key: 'pkcs11.module', option: 'pkcs11Module', flag: '--pkcs11-module', whenUnset: says('none (needed with vault: pkcs11)') },
  { key: 'pkcs11.token-label', option: 'pkcs11TokenLabel', flag: '--pkcs11-token-label', whenUnset: says('none (one of token-label, token-serial, slot with vault: pkcs11)') },
  { key: 'pkcs11.token-serial', option: 'pkcs11TokenSerial', flag: '--pkcs11-token-serial', whenUnset: says('none') },
  { key: 'pkcs11.slot', option: 'pkcs11Slot', flag: '--pkcs11-slot', whenUnset: says('none') },
  { key: 'pkcs11.pin-file', option: 'pkcs11PinFile', flag: '--pkcs11-pin-file', env: [PIN_ENV], secretEnv: [PIN_ENV], whenUnset: says(`none (the PIN then comes from ${PIN_ENV})`) },
  { key: 'pkcs11.sessions', option: 'pkcs11Sessions', flag: '--pkcs11-sessions', whenUnset: says('8') },
  { key: 'pkcs11.deadline-ms', option: 'pkcs11DeadlineMs', flag: '--pkcs11-deadline-ms', whenUnset: says(String(DEFAULT_PKCS11_DEADLINE_MS)) },
  { key: 'pkcs11.restart-after-ms', option: 'pkcs11RestartAfterMs', flag: '--pkcs11-restart-after-ms', whenUnset: says('10000, or 3 deadlines when longer') },
  { key: 'watermark-store', option: 'watermarkStore', flag: '--watermark-store' },
  { key: 'azure-table.url', option: 'azureTableUrl', flag: '--azure-table-url', whenUnset: says('none (needed with watermark-store: azure-table)') },
  { key: 'azure-table.connection-string', option: 'azureTableConnectionString', flag: '--azure-table-connection-string', env: [TABLE_CONNECTION_STRING_ENV], secret: true, whenUnset: says('none') },
  { key: 'azure-table.name', option: 'azureTableName', flag: '--azure-table-name', whenUnset: says(DEFAULT_TABLE_NAME) },
  { key: 'postgres.url', option: 'postgresUrl', flag: '--postgres-url', env: [POSTGRES_URL_ENV], secret: true, whenUnset: says('none (needed with watermark-store: postgres)') },
  { key: 'postgres.schema', option: 'postgresSchema', flag: '--postgres-schema', whenUnset: says(DEFAULT_POSTGRES_SCHEMA) },
  { key: 'check-high-watermark', option: 'checkHighWatermark', flag: '--[no-]check-high-watermark', whenUnset: says('true') },
  { key: 'magic-bytes', option: 'magicBytes', flag: '--magic-bytes', whenUnset: says(DEFAULT_MAGIC_BYTES.map(formatMagicByte).join(', ')) },
  { key: 'policy', option: 'policy', flag: '--policy', whenUnset: says('none (magic-bytes decide)') },
  { key: 'audit-log', option: 'auditLog', flag: '--audit-log', whenUnset: (home) => `${home}/audit.jsonl` },
  { key: 'confirmations.timeout-seconds', option: 'confirmTimeout', flag: '--confirm-timeout' },
  { key: 'confirmations.admin-socket', option: 'adminSocket', flag: '--admin-socket', whenUnset: (home) => `${home}/admin.sock` },
  { key: 'confirmations.max-held', option: 'maxHeld', flag: '--max-held', whenUnset: says(String(DEFAULT_MAX_HELD)) },
  { key: 'confirmations.approver-keys', option: 'approverKeys', flag: '--approver-keys', whenUnset: says('none (any holder of the admin token approves)') },
  { key: 'listen.address', option: 'address', flag: '--address' },
  { key: 'listen.port', option: 'port', flag: '--port' },
  { key: 'chain-ids', option: 'chainId', flag: '--chain-id', whenUnset: says('any chain') },
  { key: 'tls.cert', option: 'tlsCert', flag: '--tls-cert', whenUnset: says('none (plain HTTP)') },
  { key: 'tls.key', option: 'tlsKey', flag: '--tls-key', whenUnset: says('none (plain HTTP)') },
  { key: 'tls.client-ca', option: 'tlsClientCa', flag: '--tls-client-ca', whenUnset: says('none (no client certificates asked)') },
  { key: 'authorized-keys', option: 'authorizedKeys', flag: '--authorized-keys', whenUnset: says('none (requests are not authenticated)') },
  { key: 'allow-list-known-keys', option: 'allowListKnownKeys', flag: '--allow-list-known-keys', whenUnset: says('false') },
  { key: 'allow-prove-possession', option: 'allowProvePossession', flag: '--allow-prove-possession', whenUnset: says('false') },
  { key: 'log-level', option: 'logLevel', flag: '--log-level' },
  { key: 'metrics.enabled', option: 'metrics', flag: '--no-metrics' },
  { key: 'metrics.address', option: 'metricsAddress', flag: '--metrics-address' },
  { key: 'metrics.port', option: 'metricsPort', flag: '--metrics-port' },
  limit('headers-timeout-ms', DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  limit('request-timeout-ms', DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  limit('keep-alive-timeout-ms', DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs),
  limit('max-connections', DEFAULT_HTTP_LIMITS.maxConnections),
  limit('max-requests-per-socket', DEFAULT_HTTP_LIMITS.maxRequestsPerSocket),
  limit('shutdown-grace-ms', DEFAULT_SHUTDOWN_GRACE_MS),
  limit('readiness-deadline-ms', DEFAULT_READINESS_DEADLINE_MS),
];
