import { readFile } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import type { EffectiveSetting } from './effective-config.js';

/** Where a setting was given, for people: `--policy`, `$VAR`, or `file:line`. */
async function whereSet(setting: EffectiveSetting, file: string | undefined): Promise<string> {
  if (setting.source === 'flag') return setting.field.flag ?? setting.field.key;
  if (setting.source === 'env') return `$${setting.envName ?? ''}`;
  if (file === undefined) return setting.field.key;
  const text = await readFile(file, 'utf8').catch(() => '');
  const index = text.split('\n').findIndex((line) => new RegExp(`^${setting.field.key}\\s*:`).test(line));
  return `${file}${index < 0 ? '' : `:${index + 1}`}`;
}

/**
 * A policy file and a magic-byte list both say what is signed, so serve takes one of them. When
 * both are set, the error names where each was set, file and line included, so the operator who
 * just uncommented `policy:` sees which other line to remove.
 */
export async function refusePolicyWithMagicBytes(settings: readonly EffectiveSetting[], file: string | undefined): Promise<void> {
  const given = (key: string) => settings.find((setting) => setting.field.key === key && (setting.source === 'flag' || setting.source === 'env' || setting.source === 'file'));
  const policy = given('policy');
  const magicBytes = given('magic-bytes');
  if (policy === undefined || magicBytes === undefined) return;
  throw configInvalid(
    `both policy (${await whereSet(policy, file)}) and magic-bytes (${await whereSet(magicBytes, file)}) are set: a policy file says per kind what is signed, so remove magic-bytes`,
  );
}
