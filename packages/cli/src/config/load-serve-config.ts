import type { Command } from 'commander';
import type { CliIo } from '../io/cli-io.js';
import { readConfigFile } from './config-file.js';
import { applyConfig, type EffectiveSetting } from './effective-config.js';
import { refusePolicyWithMagicBytes } from './policy-conflict.js';

export interface LoadedServeConfig {
  readonly settings: readonly EffectiveSetting[];
  /** the file read, when --config named one */
  readonly configFile?: string;
}

/** Reads --config (when given) and merges it into the serve command's options; refuses a policy file beside magic bytes. */
export async function loadServeConfig(command: Command, io: CliIo): Promise<LoadedServeConfig> {
  const file = command.getOptionValue('config') as string | undefined;
  const parsed = file === undefined ? {} : await readConfigFile(file);
  const settings = applyConfig(command, parsed, io.env);
  await refusePolicyWithMagicBytes(settings, file);
  return file === undefined ? { settings } : { settings, configFile: file };
}
