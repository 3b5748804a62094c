import type { WatermarkStore } from '@tezsigner/core';
import { FileWatermarkStore } from '@tezsigner/local-adapter';
import type { CliIo } from '../io/cli-io.js';
import type { BackendOptions } from './backend-options.js';
import { openHomeFolder } from './local-vault.js';

/**
 * The `file` store: durable watermark files in `<home>/watermarks`, the home created for the
 * first one (a signer whose keys are in Key Vault may have no home yet), unless only read;
 * a dry run changes nothing there, not even a folder's mode.
 */
export async function openFileWatermarkStore(options: BackendOptions, io: CliIo): Promise<WatermarkStore> {
  const store = await FileWatermarkStore.open({
    home: await openHomeFolder({ home: options.home, createHome: options.readOnly !== true, dryRun: options.dryRun }, io),
    check: options.readOnly !== true,
    changeNothing: options.dryRun === true,
  });
  for (const warning of store.warnings) io.stderr(`tezsigner: warning: ${warning}\n`);
  return store;
}
