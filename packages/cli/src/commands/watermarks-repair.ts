import { join } from 'node:path';
import { TezsignerError } from '@tezsigner/core';
import { repairWatermarks } from '@tezsigner/local-adapter';
import type { Command } from 'commander';
import { addHomeOption } from '../backends/backend-command-options.js';
import { openHomeFolder } from '../backends/local-vault.js';
import type { CliIo } from '../io/cli-io.js';

interface RepairCommandOptions {
  readonly home?: string;
  readonly legacyLevel?: string;
}

/**
 * `tezsigner watermarks repair`: the fix a STORE_CORRUPT error names. Safe while signers run,
 * and never lowers a mark (see repairWatermarks); exits non-zero when something is left that
 * only the operator can settle.
 */
export function registerWatermarksRepairCommand(watermarks: Command, io: CliIo): void {
  addHomeOption(
    watermarks
      .command('repair')
      .description(
        'make unreadable watermark files of the file store readable again without lowering any mark: each bad entry is set aside and replaced by a mark at its position (or higher) that matches no payload, and a damaged marker of an older layout by the marker',
      ),
  )
    .option(
      '--legacy-level <level>',
      'for an unreadable watermark file of an older tezsigner (one <kind>.json per watermark): the highest level the key may have signed (or the chain head); no round of it is signed again',
    )
    .action((options: RepairCommandOptions) => repair(options, io));
}

async function repair(options: RepairCommandOptions, io: CliIo): Promise<void> {
  const legacyLevel = options.legacyLevel === undefined ? undefined : parseLevel(options.legacyLevel);
  const home = await openHomeFolder({ home: options.home }, io);
  const report = await repairWatermarks(join(home, 'watermarks'), legacyLevel === undefined ? {} : { legacyLevel });
  for (const line of report.repaired) io.stdout(`repaired ${line}\n`);
  if (report.unresolved.length > 0) {
    throw new TezsignerError('STORE_CORRUPT', report.unresolved.join('\n'));
  }
  if (report.repaired.length === 0) io.stdout('every watermark file is readable: nothing to repair\n');
}

function parseLevel(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new TezsignerError('CONFIG_INVALID', `--legacy-level ${JSON.stringify(text)} is not a level (a whole number)`);
  return Number(text);
}
