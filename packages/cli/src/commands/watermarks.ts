import type { WatermarkEntry } from '@tezsigner/core';
import type { Command } from 'commander';
import { addHomeOption, addWatermarkStoreOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { withWatermarkStore } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { registerWatermarksRepairCommand } from './watermarks-repair.js';
import { registerWatermarksTransferCommands } from './watermarks-transfer.js';

interface ShowOptions extends BackendOptions {
  readonly json?: boolean;
}

/** `tezsigner watermarks show`: the highest (level, round) signed per chain, key and kind. */
export function registerWatermarksCommands(program: Command, io: CliIo): void {
  const watermarks = program.command('watermarks').description('inspect, export and import high watermarks');
  addWatermarkStoreOption(
    addHomeOption(
      watermarks
        .command('show')
        .description(
          'show the high watermark of every key: the highest level and round signed per chain, key and kind, and whether the signature given then is stored (to answer the same request again)',
        ),
    ),
  )
    .option('--json', 'print JSON')
    .action((options: ShowOptions) => show(options, io));
  registerWatermarksTransferCommands(watermarks, io);
  registerWatermarksRepairCommand(watermarks, io);
}

async function show(options: ShowOptions, io: CliIo): Promise<void> {
  const [name, entries] = await withWatermarkStore({ ...options, readOnly: true }, io, async (store) => [store.name, sorted(await store.list())] as const);
  if (options.json === true) {
    io.stdout(`${JSON.stringify(entries.map(({ key, watermark }) => ({ ...key, ...watermark })), null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    io.stdout(`no watermarks yet in the ${name} store: nothing has been signed\n`);
    return;
  }
  const rows = [
    ['chain', 'key', 'kind', 'level', 'round', 'signature'],
    ...entries.map(({ key, watermark }) => [
      key.chainId,
      key.pkh,
      key.kind,
      String(watermark.level),
      String(watermark.round),
      watermark.signature === undefined ? NO_SIGNATURE : 'stored',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const row of rows) io.stdout(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  if (entries.some(({ watermark }) => watermark.signature === undefined)) {
    io.stdout(`${NO_SIGNATURE}: a mark raised by \`tezsigner watermarks import\` from a file without its signature\n`);
  }
}

/** Every mark the signer commits carries its signature; only an imported one may lack it. */
const NO_SIGNATURE = 'none (imported)';

function sorted(entries: readonly WatermarkEntry[]): WatermarkEntry[] {
  const id = ({ key }: WatermarkEntry) => `${key.chainId}/${key.pkh}/${key.kind}`;
  return [...entries].sort((a, b) => id(a).localeCompare(id(b)));
}
