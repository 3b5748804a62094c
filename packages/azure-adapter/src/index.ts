export { TableWatermarkStore, DEFAULT_TABLE_TIMEOUT_MS } from './table-watermark-store.js';
export type { TableWatermarkStoreOptions } from './table-watermark-store.js';
export { DEFAULT_TABLE_NAME } from './table-client.js';
export type { TableConnectionOptions } from './table-client.js';
