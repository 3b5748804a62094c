import { CURVES, TezsignerError, isCurve } from '@tezsigner/core';
import type { Curve, KeyInfo } from '@tezsigner/core';
import { Option, type Command } from 'commander';
import { addHomeOption, addHomeOptions, addVaultOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openLocalVault, type OpenedVault } from '../backends/local-vault.js';
import { openKeyProvider } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { keyReport } from '../keys/report.js';
import { KEY_PASSPHRASE_OPTION, readKeyToImport } from '../keys/to-import.js';
import { registerProvePossessionCommand } from './keys-prove-possession.js';

export interface AddOptions extends Pick<BackendOptions, 'home' | 'passphraseFile'> {
  readonly name?: string;
  readonly plain?: boolean;
}

interface ImportOptions extends AddOptions {
  /** the imported key's own passphrase, when it is encrypted */
  readonly keyPassphraseFile?: string;
}

/** `tezsigner keys list|generate|import|prove-possession`: the keys a signer holds. */
export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('list, generate and import keys');

  addVaultOption(addHomeOption(keys.command('list').description('list the keys (addresses and public keys)'))).action(
    (options: BackendOptions) => listKeys(options, io),
  );

  addHomeOptions(
    keys
      .command('generate')
      .description('generate a key in the local vault, encrypted with the vault passphrase')
      .addOption(new Option('--curve <curve>', 'signature scheme').choices(CURVES).default('ed25519'))
      .option('--name <name>', 'name of the key (default: its address)')
      .option('--plain', 'store the secret key unencrypted'),
  ).action((options: AddOptions & { curve: string }) => generateKey(options, io));

  addHomeOptions(
    keys
      .command('import')
      .description('import a secret key (edsk/spsk/p2sk/BLsk, or encrypted edesk/spesk/p2esk/BLesk) into the local vault')
      .argument(
        '[secret-key]',
        'the secret key, as octez-client shows it (with or without unencrypted:/encrypted:); better left out: it is then read from standard input when piped, else asked on a terminal, and stays out of the shell history',
      )
      .option('--name <name>', 'name of the key (default: its address)')
      .option('--plain', 'store the secret key unencrypted')
      .option(`${KEY_PASSPHRASE_OPTION} <file>`, "file holding the passphrase of the encrypted key to import (asked on a terminal otherwise); the vault's own is --passphrase-file"),
  ).action((secretKey: string | undefined, options: ImportOptions) => importKey(secretKey, options, io));

  registerProvePossessionCommand(keys, io);
}

async function listKeys(options: BackendOptions, io: CliIo): Promise<void> {
  let keys: readonly (KeyInfo & { encrypted?: boolean; file?: string })[];
  let where: string;
  if (options.vault === 'local') {
    // listing reads public facts only: no passphrase needed
    const { vault } = await openLocalVault({ home: options.home }, io);
    keys = await vault.list();
    where = vault.directory;
  } else {
    const provider = await openKeyProvider(options, io);
    try {
      keys = await provider.listKeys();
    } finally {
      await provider.close?.();
    }
    where = `the ${options.vault} vault`;
  }
  if (keys.length === 0) {
    io.stdout(`no keys in ${where}; create one with: tezsigner keys generate --curve ed25519 --name baker\n`);
    return;
  }
  for (const key of keys) io.stdout(`${key.label ?? key.pkh}\n${keyReport(key)}`);
}

export async function generateKey(options: AddOptions & { curve: string }, io: CliIo): Promise<void> {
  if (!isCurve(options.curve)) throw new TezsignerError('CONFIG_INVALID', `unknown curve ${options.curve}; choose one of ${CURVES.join(', ')}`);
  const curve: Curve = options.curve;
  const { vault } = await vaultForAdding(options, io);
  const key = await vault.generate(curve, { name: options.name, plain: options.plain });
  io.stdout(`generated key "${key.name}" (${curve})\n${keyReport(key)}`);
}

async function importKey(given: string | undefined, options: ImportOptions, io: CliIo): Promise<void> {
  const { secretKey, passphrase } = await readKeyToImport(given, options.keyPassphraseFile, io, 'tezsigner keys import');
  const { vault } = await vaultForAdding(options, io);
  const key = await vault.importKey(secretKey, { name: options.name, plain: options.plain, passphrase });
  io.stdout(`imported key "${key.name}" (${key.curve})\n${keyReport(key)}`);
}

/**
 * The local vault, with its passphrase when keys are to be stored encrypted: on a terminal
 * without one configured, it is asked (twice when it is new, so a typo cannot lock keys away).
 */
export async function vaultForAdding(options: AddOptions, io: CliIo): Promise<OpenedVault> {
  return openLocalVault({ ...options, createHome: true }, io, async (opened) => {
    if (options.plain === true || io.promptSecret === undefined) return undefined;
    const isNew = !(await opened.list()).some((key) => key.encrypted);
    const passphrase = await io.promptSecret(`${isNew ? 'New passphrase' : 'Passphrase'} of the key vault ${opened.directory}: `);
    if (isNew && (await io.promptSecret('Repeat the passphrase: ')) !== passphrase) {
      throw new TezsignerError('CONFIG_INVALID', 'the two passphrases differ; nothing was stored');
    }
    return passphrase;
  });
}
