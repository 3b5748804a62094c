import { DEFAULT_HTTP_LIMITS, DEFAULT_READINESS_DEADLINE_MS, DEFAULT_SHUTDOWN_GRACE_MS } from '@tezsigner/http-server';
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV } from '@tezsigner/local-adapter';

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
}

const TABLE_CONNECTION_STRING_ENV = 'AZURE_TABLE_CONNECTION_STRING';
const VAULT_URL_ENV = 'AZURE_KEYVAULT_URI';

const limit = (name: string, value: number): ConfigField => ({ key: `limits.${name}`, defaultValue: value });

export const CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'home', option: 'home', flag: '--home', env: ['TEZSIGNER_HOME'] },
  { key: 'vault', option: 'vault', flag: '--vault' },
  { key: 'passphrase-file', option: 'passphraseFile', flag: '--passphrase-file', env: [PASSPHRASE_ENV, PASSPHRASE_FILE_ENV], secretEnv: [PASSPHRASE_ENV] },
  { key: 'azure.vault-url', option: 'azureVaultUrl', flag: '--azure-vault-url', env: [VAULT_URL_ENV] },
  { key: 'azure.client-id', option: 'azureClientId', flag: '--azure-client-id' },
  { key: 'azure.keys', option: 'azureKey', flag: '--azure-key' },
  { key: 'azure.deadline-ms', option: 'azureDeadlineMs', flag: '--azure-deadline-ms' },
  { key: 'watermark-store', option: 'watermarkStore', flag: '--watermark-store' },
  { key: 'azure-table.url', option: 'azureTableUrl', flag: '--azure-table-url' },
  { key: 'azure-table.connection-string', option: 'azureTableConnectionString', flag: '--azure-table-connection-string', env: [TABLE_CONNECTION_STRING_ENV], secret: true },
  { key: 'azure-table.name', option: 'azureTableName', flag: '--azure-table-name' },
  { key: 'check-high-watermark', option: 'checkHighWatermark', flag: '--[no-]check-high-watermark' },
  { key: 'magic-bytes', option: 'magicBytes', flag: '--magic-bytes' },
  { key: 'policy', option: 'policy', flag: '--policy' },
  { key: 'audit-log', option: 'auditLog', flag: '--audit-log' },
  { key: 'confirmations.timeout-seconds', option: 'confirmTimeout', flag: '--confirm-timeout' },
  { key: 'confirmations.admin-socket', option: 'adminSocket', flag: '--admin-socket' },
  { key: 'confirmations.max-held', option: 'maxHeld', flag: '--max-held' },
  { key: 'confirmations.approver-keys', option: 'approverKeys', flag: '--approver-keys' },
  { key: 'listen.address', option: 'address', flag: '--address' },
  { key: 'listen.port', option: 'port', flag: '--port' },
  { key: 'chain-ids', option: 'chainId', flag: '--chain-id' },
  { key: 'tls.cert', option: 'tlsCert', flag: '--tls-cert' },
  { key: 'tls.key', option: 'tlsKey', flag: '--tls-key' },
  { key: 'tls.client-ca', option: 'tlsClientCa', flag: '--tls-client-ca' },
  { key: 'authorized-keys', option: 'authorizedKeys', flag: '--authorized-keys' },
  { key: 'allow-list-known-keys', option: 'allowListKnownKeys', flag: '--allow-list-known-keys' },
  { key: 'allow-prove-possession', option: 'allowProvePossession', flag: '--allow-prove-possession' },
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
