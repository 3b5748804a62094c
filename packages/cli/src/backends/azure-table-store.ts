import { DEFAULT_TABLE_NAME, TableWatermarkStore } from '@tezsigner/azure-adapter';
import type { TableWatermarkStoreOptions } from '@tezsigner/azure-adapter';
import { TezsignerError, isTezsignerError } from '@tezsigner/core';
import type { WatermarkStore } from '@tezsigner/core';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliIo } from '../io/cli-io.js';
import { addAzureClientIdOption, azureCredential } from './azure-identity.js';
import type { BackendOptions } from './backend-options.js';

export const TABLE_CONNECTION_STRING_ENV = 'AZURE_TABLE_CONNECTION_STRING';

/** The options of `--watermark-store azure-table`, on every command that opens a watermark store. */
export function addAzureTableOptions(command: Command): Command {
  return addAzureClientIdOption(command)
    .addOption(
      new Option(
        '--azure-table-url <url>',
        'azure-table store: https://<account>.table.core.windows.net, signing in with DefaultAzureCredential (managed identity on an Azure VM)',
      ),
    )
    .addOption(
      new Option(
        '--azure-table-connection-string <string>',
        `azure-table store: a storage connection string instead of a URL (default: $${TABLE_CONNECTION_STRING_ENV}; prefer the variable, it holds the account key)`,
      ),
    )
    .addOption(new Option('--azure-table-name <name>', `azure-table store: the table (default: ${DEFAULT_TABLE_NAME}, created if missing)`));
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** What the options and the environment say about the table, checked before anything is opened. */
export function azureTableOptions(options: BackendOptions, env: CliIo['env']): TableWatermarkStoreOptions {
  const url = text(options['azureTableUrl']);
  const flagged = text(options['azureTableConnectionString']);
  const tableName = text(options['azureTableName']);
  if (url !== undefined && flagged !== undefined) {
    throw new TezsignerError('CONFIG_INVALID', 'give --azure-table-url or --azure-table-connection-string, not both');
  }
  // An explicit URL beats a connection string left in the environment.
  const connectionString = url === undefined ? (flagged ?? text(env[TABLE_CONNECTION_STRING_ENV])) : undefined;
  if (url === undefined && connectionString === undefined) {
    throw new TezsignerError(
      'CONFIG_INVALID',
      `the azure-table watermark store needs --azure-table-url https://<account>.table.core.windows.net, or a connection string in $${TABLE_CONNECTION_STRING_ENV} (or --azure-table-connection-string)`,
    );
  }
  if (url === undefined) return { connectionString, tableName };
  return { url, tableName, credential: azureCredential(text(options['azureClientId'])) };
}

/**
 * The `azure-table` store: one Azure Table shared by every signer instance. Opening checks
 * that the table answers; if it does not, the signer still starts (a table outage must not
 * keep a signer down) and refuses to sign watermarked requests until the table answers.
 */
export async function openAzureTableWatermarkStore(options: BackendOptions, io: CliIo): Promise<WatermarkStore> {
  const store = new TableWatermarkStore(azureTableOptions(options, io.env));
  try {
    await store.probe();
  } catch (err) {
    if (!isTezsignerError(err, 'STORE_UNAVAILABLE')) throw err;
    io.stderr(`tezsigner: warning: ${err.message}; watermarked requests fail closed until it answers\n`);
  }
  return store;
}
