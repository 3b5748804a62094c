import { readFile, writeFile } from 'node:fs/promises';
import { TezsignerError } from '@tezsigner/core';
import { Option, type Command } from 'commander';
import { addHomeOption, addWatermarkStoreOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { withWatermarkStore } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { exportOctez } from '../migration/export-octez.js';
import { raiseWatermarks } from '../migration/raise-marks.js';
import { parseExport, serializeExport } from '../watermark-export-file.js';
import { fileErrorMeaning } from '../io/describe-failure.js';

interface ExportOptions extends BackendOptions {
  readonly out?: string;
  readonly format: 'tezsigner' | 'octez';
}

/**
 * `watermarks export` / `watermarks import`: move high watermarks between stores (the file
 * store of one machine and the table shared by several). Import only ever raises a mark.
 */
export function registerWatermarksTransferCommands(watermarks: Command, io: CliIo): void {
  addWatermarkStoreOption(addHomeOption(watermarks.command('export').description('write every high watermark of a store as JSON')))
    .option('--out <path>', 'write to this file (default: standard output); with --format octez, the octez base directory to write the files into')
    .addOption(
      new Option('--format <format>', "tezsigner: one JSON file for `watermarks import`; octez: octez-signer's *_high_watermarks files, to move back to it")
        .choices(['tezsigner', 'octez'])
        .default('tezsigner'),
    )
    .action((options: ExportOptions) => (options.format === 'octez' ? exportOctez(options, io) : exportWatermarks(options, io)));
  addWatermarkStoreOption(
    addHomeOption(
      watermarks
        .command('import')
        .argument('<file>', 'a file written by `tezsigner watermarks export` (or `watermarks show --json`)')
        .description('raise the high watermarks of a store to those of an export; never lowers one'),
    ),
  ).action((file: string, options: BackendOptions) => importWatermarks(file, options, io));
}

async function exportWatermarks(options: ExportOptions, io: CliIo): Promise<void> {
  const [name, entries] = await withWatermarkStore({ ...options, readOnly: true }, io, async (store) => [store.name, await store.list()] as const);
  const text = serializeExport(name, entries);
  if (options.out === undefined) {
    io.stdout(text);
    return;
  }
  await writeFile(options.out, text);
  io.stderr(`tezsigner: exported ${entries.length} watermark(s) from the ${name} store to ${options.out}\n`);
}

async function importWatermarks(file: string, options: BackendOptions, io: CliIo): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `cannot read ${file}: ${fileErrorMeaning(err)}`);
  }
  await raiseWatermarks(parseExport(text, file), options, io);
}
