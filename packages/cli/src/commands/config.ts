import { configInvalid } from '@tezsigner/core';
import { readTlsMaterial } from '@tezsigner/http-server';
import { resolveHomePath } from '@tezsigner/local-adapter';
import { refuseOpenTlsFiles } from '../io/file-mode.js';
import { Command } from 'commander';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';
import { VAULTS, WATERMARK_STORES } from '../backends/registry.js';
import { POSTGRES_URL_ENV, postgresOptions } from '../backends/postgres-store.js';
import { parseConnection } from '@tezsigner/postgres-adapter';
import type { CliIo } from '../io/cli-io.js';
import { loadServeConfig } from '../config/load-serve-config.js';
import { serveSettings, type ServeListenOptions } from '../config/serve-settings.js';
import { formatSettings } from '../config/show-config.js';
import { signingPolicy } from '../policy/options.js';
import { addServeOptions } from './serve.js';

interface CheckedOptions extends ServeListenOptions {
  readonly vault: string;
  readonly watermarkStore: string;
  readonly magicBytes?: string;
  readonly policy?: string;
  readonly checkHighWatermark: boolean;
  readonly authorizedKeys?: string;
  readonly postgresUrl?: string;
  readonly [option: string]: unknown;
}

/** The serve options parsed from `args` as `serve` would, with the configuration file merged in. */
async function parseServeLine(args: readonly string[], io: CliIo) {
  const serve = addServeOptions(new Command('tezsigner config show'))
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(text.startsWith('error: ') ? `tezsigner: ${text}` : text),
    });
  serve.parse([...args], { from: 'user' });
  const loaded = await loadServeConfig(serve, io);
  return { ...loaded, options: serve.opts<CheckedOptions>() };
}

/** Everything `serve` checks before it opens a backend, plus the files the configuration names. */
async function checkServeLine(args: readonly string[], io: CliIo): Promise<void> {
  const { options, settings } = await parseServeLine(args, io);
  const listen = serveSettings(options, settings);
  await signingPolicy(options);
  if (VAULTS[options.vault] === undefined) throw configInvalid(`vault ${JSON.stringify(options.vault)}: choose one of ${Object.keys(VAULTS).join(', ')}`);
  if (WATERMARK_STORES[options.watermarkStore] === undefined) {
    throw configInvalid(`watermark-store ${JSON.stringify(options.watermarkStore)}: choose one of ${Object.keys(WATERMARK_STORES).join(', ')}`);
  }
  // the URL may come from the service's environment only when it runs; when it is here, it is read as serve would
  if (options.watermarkStore === 'postgres' && (options.postgresUrl !== undefined || io.env[POSTGRES_URL_ENV] !== undefined)) {
    parseConnection(postgresOptions(options, io.env), io.env);
  }
  if (options.authorizedKeys !== undefined) await readAuthorizedKeysFile(options.authorizedKeys);
  if (listen.tls !== undefined) {
    await refuseOpenTlsFiles(listen.tls);
    await readTlsMaterial(listen.tls);
  }
}

/** `tezsigner config show` and `tezsigner config check FILE`. */
export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program.command('config').description('the configuration file: what serve would use, and checking a file');
  config
    .command('show')
    .description('print the configuration serve would use with these options, and where each value comes from (secrets masked)')
    .argument('[serve-options...]', 'the options you would give serve, --config included')
    .allowUnknownOption()
    // --help goes on to the serve options, which list everything show accepts
    .helpOption(false)
    .action(async (args: string[]) => {
      const { settings } = await parseServeLine(args, io);
      const home = settings.find((setting) => setting.field.key === 'home');
      io.stdout(formatSettings(settings, resolveHomePath({ home: home?.source === 'unset' ? undefined : String(home?.value), env: io.env })));
    });
  config
    .command('check')
    .description('check a configuration file (and the files it names) without starting anything')
    .argument('[file]', 'the YAML configuration file')
    // as serve and config show take it
    .option('-c, --config <file>', 'the YAML configuration file')
    .action(async (argument: string | undefined, options: { config?: string }) => {
      if (argument !== undefined && options.config !== undefined && argument !== options.config) {
        throw configInvalid(`two configuration files, ${argument} and --config ${options.config}: check one at a time`);
      }
      const file = argument ?? options.config;
      if (file === undefined) throw configInvalid('which file? tezsigner config check FILE (or --config FILE)');
      await checkServeLine(['--config', file], io);
      io.stdout(`${file}: valid\n`);
    });
}
