import { CURVES } from '@tezsigner/core';
import { Option, type Command } from 'commander';
import { addHomeOptions } from '../backends/backend-command-options.js';
import { openLocalVault } from '../backends/local-vault.js';
import type { CliIo } from '../cli-io.js';
import { keyReport } from '../key-report.js';
import { generateKey, type AddOptions } from './keys.js';

/**
 * `tezsigner init`: a home with one key, made only when the vault has none, so a setup script
 * (the README's first command) can run it again and again.
 */
export function registerInitCommand(program: Command, io: CliIo): void {
  addHomeOptions(
    program
      .command('init')
      .description('prepare the home folder and generate a key if the vault has none (safe to run again)')
      .addOption(new Option('--curve <curve>', 'signature scheme of the key').choices(CURVES).default('ed25519'))
      .option('--name <name>', 'name of the key', 'baker')
      .option('--plain', 'store the secret key unencrypted'),
  ).action((options: AddOptions & { curve: string }) => init(options, io));
}

async function init(options: AddOptions & { curve: string }, io: CliIo): Promise<void> {
  // listing needs no passphrase: nobody is asked for one when nothing is to be generated
  const { vault: existingVault } = await openLocalVault(options, io);
  const existing = await existingVault.list();
  if (existing.length > 0) {
    io.stdout(`the vault ${existingVault.directory} already holds ${existing.length} key(s); none generated\n`);
    for (const key of existing) io.stdout(`${key.name}\n${keyReport(key)}`);
    return;
  }
  await generateKey(options, io);
}
