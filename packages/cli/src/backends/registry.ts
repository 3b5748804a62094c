import { TezsignerError } from '@tezsigner/core';
import type { KeyProvider, WatermarkStore } from '@tezsigner/core';
import type { CliIo } from '../io/cli-io.js';
import type { BackendOptions } from './backend-options.js';
import type { Backend } from './backend.js';
import { azureVault } from './azure-key-vault.js';
import { openAzureTableWatermarkStore } from './azure-table-store.js';
import { openFileWatermarkStore } from './file-store.js';
import { openLocalKeyProvider } from './local-vault.js';
import { openPostgresWatermarkStore } from './postgres-store.js';
import { pkcs11Vault } from './pkcs11-token.js';

/**
 * The seam where a key provider and a watermark store are chosen: `--vault <name>` and
 * `--watermark-store <name>` pick an entry here. A new backend is one entry (and its options
 * on the commands that need them).
 */
export const VAULTS: Record<string, Backend<KeyProvider>> = {
  local: { description: 'encrypted key files in the home folder', open: openLocalKeyProvider },
  azure: azureVault(),
  pkcs11: pkcs11Vault(),
};

export const WATERMARK_STORES: Record<string, Backend<WatermarkStore>> = {
  file: { description: 'watermark files in the home folder (one machine)', open: openFileWatermarkStore },
  'azure-table': { description: 'an Azure Table shared by several signer instances', open: openAzureTableWatermarkStore },
  postgres: { description: 'a PostgreSQL database shared by several signer instances', open: openPostgresWatermarkStore },
};

export const DEFAULT_VAULT = 'local';
export const DEFAULT_WATERMARK_STORE = 'file';

function pick<T>(table: Record<string, Backend<T>>, name: string, option: string): Backend<T> {
  const backend = table[name];
  if (backend === undefined) {
    throw new TezsignerError('CONFIG_INVALID', `unknown ${option} ${JSON.stringify(name)}; choose one of: ${Object.keys(table).join(', ')}`);
  }
  return backend;
}

export function openKeyProvider(options: BackendOptions, io: CliIo): Promise<KeyProvider> {
  return pick(VAULTS, options.vault, '--vault').open(options, io);
}

export function openWatermarkStore(options: BackendOptions, io: CliIo): Promise<WatermarkStore> {
  return pick(WATERMARK_STORES, options.watermarkStore, '--watermark-store').open(options, io);
}

/** Opens the watermark store the options name (no key provider), uses it, and closes it. */
export async function withWatermarkStore<T>(options: BackendOptions, io: CliIo, use: (store: WatermarkStore) => Promise<T>): Promise<T> {
  const store = await openWatermarkStore({ ...options, vault: 'local' }, io);
  try {
    return await use(store);
  } finally {
    await store.close?.();
  }
}

export interface Backends {
  readonly keys: KeyProvider;
  readonly watermarks: WatermarkStore;
  /** closes both, even when one fails */
  close(): Promise<void>;
}

/** The key provider and watermark store the options name, opened together. */
export async function openBackends(options: BackendOptions, io: CliIo): Promise<Backends> {
  const keys = await openKeyProvider(options, io);
  let watermarks: WatermarkStore;
  try {
    watermarks = await openWatermarkStore(options, io);
  } catch (err) {
    await keys.close?.();
    throw err;
  }
  return {
    keys,
    watermarks,
    async close() {
      await Promise.allSettled([keys.close?.(), watermarks.close?.()]);
    },
  };
}
