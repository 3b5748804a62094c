import { createVaultKey, importVaultKey, listVaultKeys, type VaultKeyListing } from '@tezsigner/azure-adapter';
import { Option, type Command } from 'commander';
import { addAzureConnectionOptions, azureConnection, productionAzureAccess, type AzureAccess, type AzureOptions } from '../backends/azure-key-vault.js';
import type { CliIo } from '../io/cli-io.js';
import { keyReport } from '../keys/report.js';
import { KEY_PASSPHRASE_OPTION, readKeyToImport } from '../keys/to-import.js';

interface AddOptions extends AzureOptions {
  readonly name: string;
}

/** `tezsigner azure keys list|create|import`: the Tezos keys of an Azure Key Vault. */
export function registerAzureCommands(program: Command, io: CliIo, access: AzureAccess = productionAzureAccess): void {
  const keys = program.command('azure').description('manage the tz2/tz3 keys of an Azure Key Vault or Managed HSM').command('keys').description('list, create and import vault keys');

  addAzureConnectionOptions(keys.command('list').description("list the vault's keys: address and public key, or why tezsigner does not use it")).action(
    (options: AzureOptions) => listKeys(options, io, access),
  );

  addAzureConnectionOptions(
    keys
      .command('create')
      .description('generate a key inside the vault HSM (EC-HSM, not exportable, sign/verify only)')
      .addOption(new Option('--curve <curve>', 'secp256k1 (tz2) or p256 (tz3)').choices(['secp256k1', 'p256']).makeOptionMandatory())
      .requiredOption('--name <name>', 'vault key name (letters, digits, dashes); a name already in the vault is refused'),
  ).action((options: AddOptions & { curve: 'secp256k1' | 'p256' }) => createKey(options, io, access));

  addAzureConnectionOptions(
    keys
      .command('import')
      .description('move a tz2/tz3 secret key into the vault HSM (not exportable); destroy your own copy afterwards')
      .argument('[secret-key]', 'spsk/p2sk or encrypted spesk/p2esk; better left out: it is then read from standard input when piped, else asked on a terminal, and stays out of the shell history')
      .requiredOption('--name <name>', 'vault key name (letters, digits, dashes)')
      .option(`${KEY_PASSPHRASE_OPTION} <file>`, 'file holding the passphrase of the encrypted key to import (asked on a terminal otherwise)'),
  ).action((secretKey: string | undefined, options: AddOptions & { keyPassphraseFile?: string }) => importKey(secretKey, options, io, access));
}

async function listKeys(options: AzureOptions, io: CliIo, access: AzureAccess): Promise<void> {
  const connection = azureConnection(options, io, access);
  const rows = await listVaultKeys(connection);
  if (rows.length === 0) {
    io.stdout(`no keys in ${connection.vaultUrl}; create one with: tezsigner azure keys create --curve secp256k1 --name baker\n`);
    return;
  }
  for (const row of rows) io.stdout(describe(row));
}

async function createKey(options: AddOptions & { curve: 'secp256k1' | 'p256' }, io: CliIo, access: AzureAccess): Promise<void> {
  const key = await createVaultKey(azureConnection(options, io, access), options.curve, options.name);
  io.stdout(`created ${options.curve} key "${key.name}" in the vault HSM\n${describe(key)}`);
}

async function importKey(given: string | undefined, options: AddOptions & { keyPassphraseFile?: string }, io: CliIo, access: AzureAccess): Promise<void> {
  // the connection is checked before the secret is asked for
  const connection = azureConnection(options, io, access);
  const { secretKey, passphrase } = await readKeyToImport(given, options.keyPassphraseFile, io, 'tezsigner azure keys import --name <name>');
  const key = await importVaultKey(connection, secretKey, options.name, passphrase === undefined ? {} : { passphrase });
  io.stdout(`imported key "${key.name}" into the vault HSM; destroy other copies of its secret key\n${describe(key)}`);
}

function describe(row: VaultKeyListing): string {
  const title = `${row.name}${row.version === undefined ? '' : `/${row.version}`}`;
  if (!row.usable || row.pkh === undefined || row.publicKey === undefined || row.curve === undefined) {
    return `${title}\n  not used:   ${row.reason ?? 'unknown reason'}\n`;
  }
  const warning = row.warning === undefined ? '' : `  warning:    ${row.warning}\n`;
  return `${title}\n${keyReport({ pkh: row.pkh, publicKey: row.publicKey, curve: row.curve })}${warning}`;
}
