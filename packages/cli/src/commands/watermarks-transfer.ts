import { readFile, writeFile } from 'node:fs/promises';
import { TezsignerError, watermarkKeyId } from '@tezsigner/core';
import type { StoredWatermark, WatermarkEntry } from '@tezsigner/core';
import type { Command } from 'commander';
import { addHomeOption, addWatermarkStoreOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { withWatermarkStore } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { parseExport, serializeExport } from '../watermark-export-file.js';
import { fileErrorMeaning } from '../io/describe-failure.js';

interface ExportOptions extends BackendOptions {
  readonly out?: string;
}

/**
 * `watermarks export` / `watermarks import`: move high watermarks between stores (the file
 * store of one machine and the table shared by several). Import only ever raises a mark.
 */
export function registerWatermarksTransferCommands(watermarks: Command, io: CliIo): void {
  addWatermarkStoreOption(addHomeOption(watermarks.command('export').description('write every high watermark of a store as JSON')))
    .option('--out <file>', 'write to this file (default: standard output)')
    .action((options: ExportOptions) => exportWatermarks(options, io));
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

const describeMark = (w: StoredWatermark) => `level ${w.level} round ${w.round}`;

async function importWatermarks(file: string, options: BackendOptions, io: CliIo): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `cannot read ${file}: ${fileErrorMeaning(err)}`);
  }
  const entries = parseExport(text, file);
  await withWatermarkStore(options, io, async (store) => {
    if (store.importEntries === undefined) throw new TezsignerError('NOT_SUPPORTED', `the ${store.name} store cannot import watermarks`);
    const raised = new Set((await store.importEntries(entries)).map(watermarkKeyId));
    const stored = new Map((await store.list()).map((e: WatermarkEntry) => [watermarkKeyId(e.key), e.watermark]));
    for (const { key, watermark } of entries) {
      const id = watermarkKeyId(key);
      const now = stored.get(id);
      const where = `${key.chainId} ${key.pkh} ${key.kind}`;
      io.stdout(
        raised.has(id)
          ? `raised  ${where} to ${describeMark(watermark)}\n`
          : `kept    ${where} at ${now === undefined ? 'its stored mark' : describeMark(now)} (import has ${describeMark(watermark)}; never lowered)\n`,
      );
    }
    io.stdout(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${raised.size} raised, ${entries.length - raised.size} kept, into the ${store.name} store\n`);
  });
}
