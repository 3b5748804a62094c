import { Option, type Command } from 'commander';
import { addAzureVaultOptions } from './azure-key-vault.js';
import { addAzureTableOptions } from './azure-table-store.js';
import { addPkcs11VaultOptions } from './pkcs11-token.js';
import { addPostgresOptions } from './postgres-store.js';
import { DEFAULT_VAULT, DEFAULT_WATERMARK_STORE, VAULTS, WATERMARK_STORES } from './registry.js';

const listed = (table: Record<string, { description: string }>): string =>
  Object.entries(table)
    .map(([name, { description }]) => `${name}: ${description}`)
    .join('; ');

/** --home: where the local vault and file watermarks are. */
export function addHomeOption(command: Command): Command {
  return command.option('--home <dir>', 'tezsigner home folder (default: $TEZSIGNER_HOME, else ~/.tezsigner)');
}

/**
 * --home and --passphrase-file, on the commands that decrypt or encrypt the vault's keys; the
 * others (listings, watermarks) have no --passphrase-file, rather than one they would ignore.
 */
export function addHomeOptions(command: Command): Command {
  return addHomeOption(command).option(
    '--passphrase-file <file>',
    'file holding the key vault passphrase (default: $TEZSIGNER_PASSPHRASE, else $TEZSIGNER_PASSPHRASE_FILE, else <home>/passphrase, else asked on a terminal)',
  );
}

/** --vault: which key provider signs (and the options of the vaults that need some). */
export function addVaultOption(command: Command): Command {
  command.addOption(
    new Option('--vault <name>', `where the keys are (${listed(VAULTS)})`).choices(Object.keys(VAULTS)).default(DEFAULT_VAULT),
  );
  return addPkcs11VaultOptions(addAzureVaultOptions(command));
}

/** --watermark-store: where high watermarks are kept (and the options of the stores that need some). */
export function addWatermarkStoreOption(command: Command): Command {
  command.addOption(
    new Option('--watermark-store <name>', `where high watermarks are kept (${listed(WATERMARK_STORES)})`)
      .choices(Object.keys(WATERMARK_STORES))
      .default(DEFAULT_WATERMARK_STORE),
  );
  return addPostgresOptions(addAzureTableOptions(command));
}

/** Everything that selects and opens the backends of a signing command. */
export function addBackendOptions(command: Command): Command {
  return addWatermarkStoreOption(addVaultOption(addHomeOptions(command)));
}
