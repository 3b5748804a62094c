import { DEFAULT_TABLE_NAME, TableSpendingLedger } from '@tezsigner/azure-adapter';
import type { SpendingLedger } from '@tezsigner/core';
import { FileSpendingLedger } from '@tezsigner/local-adapter';
import { PostgresSpendingLedger } from '@tezsigner/postgres-adapter';
import type { CliIo } from '../io/cli-io.js';
import { azureTableOptions } from './azure-table-store.js';
import type { BackendOptions } from './backend-options.js';
import { openHomeFolder } from './local-vault.js';
import { postgresOptions } from './postgres-store.js';

/**
 * The spending ledger lives where the watermarks do, so that whoever shares the marks shares
 * the caps: the home's `spending/` folder beside the file store, or, beside the watermark
 * table, a table of the same name with `spending` after it, or the `spending` table beside the
 * PostgreSQL watermarks (every HA instance keeps one cap).
 */
export async function openSpendingLedger(options: BackendOptions, io: CliIo): Promise<SpendingLedger> {
  if (options.watermarkStore === 'azure-table') {
    const table = azureTableOptions(options, io.env);
    return new TableSpendingLedger({ ...table, tableName: `${(table.tableName ?? DEFAULT_TABLE_NAME).slice(0, 55)}spending` });
  }
  if (options.watermarkStore === 'postgres') return new PostgresSpendingLedger(postgresOptions(options, io.env));
  return FileSpendingLedger.open({ home: await openHomeFolder(options, io) });
}
