import { join } from 'node:path';
import { TezsignerError } from '@tezsigner/core';
import type { WatermarkEntry } from '@tezsigner/core';
import type { Command } from 'commander';
import { addHomeOptions, addWatermarkStoreOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import type { CliIo } from '../io/cli-io.js';
import { folderEntries } from '../migration/folder-entries.js';
import { importOctez, type ImportOctezOptions } from '../migration/import-octez.js';
import { highestPerKey, raiseWatermarks } from '../migration/raise-marks.js';
import { readRegularFile } from '../migration/read-regular-file.js';
import { SIGNATORY_WATERMARK_DIR, parseSignatoryWatermarkFile } from '../migration/signatory-watermark-files.js';
import { KEY_PASSPHRASE_OPTION } from '../keys/to-import.js';

interface ImportSignatoryOptions extends BackendOptions {
  readonly watermarks: string;
  readonly dryRun?: boolean;
}

/**
 * `tezsigner import octez|signatory`: switch to tezsigner from another signer in one command,
 * starting from the high watermarks it reached (never lowering one of ours) and, from octez,
 * with its keys. The marks are raised before any key is stored, so no key is ever here
 * without the marks it signed at.
 */
export function registerImportCommands(program: Command, io: CliIo): void {
  const command = program.command('import').description('switch from another signer: import its keys and high watermarks');
  addWatermarkStoreOption(
    addHomeOptions(
      command
        .command('octez')
        .description("import an octez-signer or octez-client base directory: the keys of its secret_keys, the marks of its *_high_watermarks files and the baker's own <chain>_highwatermarks")
        .requiredOption('--base-dir <dir>', 'the octez base directory (octez-signer -d, octez-client -d; often ~/.tezos-signer or ~/.tezos-client)')
        .option(`${KEY_PASSPHRASE_OPTION} <file>`, 'passphrases of its encrypted keys, one a line, tried in turn (asked on a terminal otherwise)')
        .option('--plain', 'store the imported secret keys unencrypted')
        .option('--no-keys', 'import the high watermarks only (the keys are already where tezsigner signs, e.g. in Key Vault)')
        .option('--allow-skipped', 'end with status 0 even when keys were skipped (no passphrase opened them, or malformed)')
        .option('--dry-run', 'print what would be imported, skipped and raised, and write nothing'),
    ),
  ).action((options: ImportOctezOptions) => importOctez(options, io));
  addWatermarkStoreOption(
    addHomeOptions(
      command
        .command('signatory')
        .description("import Signatory's file high watermarks (watermark_v2/<chain>.json)")
        .requiredOption('--watermarks <dir>', "Signatory's base_dir, or its watermark_v2 folder")
        .option('--dry-run', 'print what would be raised, and write nothing'),
    ),
  ).action((options: ImportSignatoryOptions) => importSignatory(options, io));
}

async function importSignatory(options: ImportSignatoryOptions, io: CliIo): Promise<void> {
  const inside = await folderEntries(options.watermarks);
  const folder = inside.includes(SIGNATORY_WATERMARK_DIR) ? join(options.watermarks, SIGNATORY_WATERMARK_DIR) : options.watermarks;
  const files = (folder === options.watermarks ? inside : await folderEntries(folder)).filter((name) => name.endsWith('.json'));
  if (files.length === 0) throw new TezsignerError('CONFIG_INVALID', `no <chain id>.json watermark files in ${folder}`);
  const entries: WatermarkEntry[] = [];
  for (const file of files) entries.push(...parseSignatoryWatermarkFile(await readRegularFile(join(folder, file)), join(folder, file), file));
  io.stdout("Signatory keeps no signatures: a request identical to one it signed last is refused, not answered again\n");
  await raiseWatermarks(highestPerKey(entries), { ...options, createHome: options.dryRun !== true }, io, options.dryRun === true);
}
