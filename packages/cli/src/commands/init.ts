import { CURVES } from '@tezsigner/core';
import { createHomePassphrase } from '@tezsigner/local-adapter';
import { Option, type Command } from 'commander';
import { addHomeOptions } from '../backends/backend-command-options.js';
import { openLocalVault } from '../backends/local-vault.js';
import type { CliIo } from '../io/cli-io.js';
import { keyReport } from '../keys/report.js';
import { generateKey, type AddOptions } from './keys.js';

/**
 * `tezsigner init`: a home with one key, made only when the vault has none, so a setup script
 * (the README's first command) can run it again and again. With no passphrase given, it makes
 * a random one in `<home>/passphrase` rather than asking: the signer then starts unattended,
 * and nobody is led to pick a weak one.
 */
export function registerInitCommand(program: Command, io: CliIo): void {
  addHomeOptions(
    program
      .command('init')
      .description('prepare the home folder and generate a key if the vault has none (safe to run again); without a passphrase, makes a random one in <home>/passphrase')
      .addOption(new Option('--curve <curve>', 'signature scheme of the key').choices(CURVES).default('ed25519'))
      .option('--name <name>', 'name of the key', 'baker')
      .option('--plain', 'store the secret key unencrypted'),
  ).action((options: AddOptions & { curve: string }) => init(options, io));
}

async function init(options: AddOptions & { curve: string }, io: CliIo): Promise<void> {
  // listing needs no passphrase: nobody is asked for one when nothing is to be generated
  const { vault, home, hasPassphrase } = await openLocalVault({ ...options, createHome: true }, io);
  const existing = await vault.list();
  if (existing.length > 0) {
    io.stdout(`the vault ${vault.directory} already holds ${existing.length} key(s); none generated\n`);
    for (const key of existing) io.stdout(`${key.name}\n${keyReport(key)}`);
    return;
  }
  if (!hasPassphrase && options.plain !== true) {
    const { file } = await createHomePassphrase(home);
    io.stdout(
      `generated a random vault passphrase into ${file} (0600), where serve finds it; it protects copies of the keys made without it, not this machine: to keep it off this disk, move it elsewhere and give it with --passphrase-file or TEZSIGNER_PASSPHRASE_FILE\n`,
    );
  }
  await generateKey(options, io);
}
