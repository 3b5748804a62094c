import type { Command } from 'commander';
import { CONFIG_FIELDS, type ConfigField } from './config-fields.js';
import type { ConfigFile } from './config-schema.js';

export type ConfigSource = 'flag' | 'env' | 'file' | 'default' | 'unset';

/** One setting as it will be used, and what decided it. */
export interface EffectiveSetting {
  readonly field: ConfigField;
  readonly value: unknown;
  readonly source: ConfigSource;
  /** the variable, when the source is `env` */
  readonly envName?: string;
}

/** The value at a dotted path of the parsed file. */
function fileValue(file: ConfigFile, key: string): unknown {
  let node: unknown = file;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A file value as commander would have parsed the flag: numbers as text, byte lists joined. */
function asOption(key: string, value: unknown): unknown {
  if (key === 'magic-bytes' && Array.isArray(value)) {
    return value.map((byte) => (typeof byte === 'number' ? `0x${byte.toString(16).padStart(2, '0')}` : byte)).join(',');
  }
  return typeof value === 'number' ? String(value) : value;
}

const setEnv = (env: Readonly<Record<string, string | undefined>>, names: readonly string[] = []) =>
  names.find((name) => env[name] !== undefined && env[name] !== '');

/**
 * Merges the configuration file into `command`'s options, flags > environment > file >
 * defaults, and says where each setting came from. Settings the environment decides are left
 * unset on the command: the backends read those variables themselves, as without a file.
 */
export function applyConfig(command: Command, file: ConfigFile, env: Readonly<Record<string, string | undefined>>): EffectiveSetting[] {
  return CONFIG_FIELDS.map((field): EffectiveSetting => {
    const fromFile = fileValue(file, field.key);
    if (field.option === undefined) {
      return fromFile === undefined ? { field, value: field.defaultValue, source: 'default' } : { field, value: fromFile, source: 'file' };
    }
    const source = command.getOptionValueSource(field.option);
    if (source === 'cli') return { field, value: command.getOptionValue(field.option), source: 'flag' };
    const envName = setEnv(env, field.env);
    if (envName !== undefined) return { field, value: env[envName], source: 'env', envName };
    if (fromFile !== undefined) {
      command.setOptionValueWithSource(field.option, asOption(field.key, fromFile), 'config');
      return { field, value: fromFile, source: 'file' };
    }
    const value: unknown = command.getOptionValue(field.option);
    return value === undefined ? { field, value, source: 'unset' } : { field, value, source: 'default' };
  });
}

/** The value of a file-only setting (a limit), as merged. */
export function settingValue(settings: readonly EffectiveSetting[], key: string): unknown {
  return settings.find((setting) => setting.field.key === key)?.value;
}
