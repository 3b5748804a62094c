export { PostgresWatermarkStore } from './watermark-store.js';
export { PostgresSpendingLedger } from './spending-ledger.js';
export { DEFAULT_POSTGRES_SCHEMA, DEFAULT_POSTGRES_TIMEOUT_MS, parseConnection } from './connection.js';
export type { PostgresConnectionOptions, PostgresTarget } from './connection.js';
export { SCHEMA_VERSION } from './schema.js';
