import { formatMagicByte } from '@tezsigner/core';
import type { EffectiveSetting } from './effective-config.js';

export const MASK = '********';

function display(key: string, value: unknown): string {
  // YAML reads 0x11 as the number 17: magic bytes are shown as they are written
  const item = (part: unknown): string => (key === 'magic-bytes' && typeof part === 'number' ? formatMagicByte(part) : String(part));
  if (key === 'magic-bytes' && typeof value === 'string') return value.split(',').map((part) => part.trim()).join(', ');
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(item).join(', ');
  return item(value);
}

function isSecret(setting: EffectiveSetting): boolean {
  return setting.field.secret === true || (setting.envName !== undefined && (setting.field.secretEnv ?? []).includes(setting.envName));
}

/**
 * `key: value  (source)`, one line per setting, each with the value serve will use: what nothing
 * sets is shown as what serve does then (`home` is the home it will use, for the paths inside it).
 * Secret values are masked, whatever their source.
 */
export function formatSettings(settings: readonly EffectiveSetting[], home: string): string {
  const rows = settings.map((setting) => {
    const unset = setting.source === 'unset';
    const value = unset ? (setting.field.whenUnset?.(home) ?? 'none') : isSecret(setting) ? MASK : display(setting.field.key, setting.value);
    const source = setting.source === 'env' ? `env ${setting.envName ?? ''}` : setting.source === 'flag' ? `flag ${setting.field.flag ?? ''}` : unset ? 'default' : setting.source;
    return [setting.field.key, value, source] as const;
  });
  const keyWidth = Math.max(...rows.map(([key]) => key.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return rows.map(([key, value, source]) => `${`${key}:`.padEnd(keyWidth + 1)} ${value.padEnd(valueWidth)}  (${source})\n`).join('');
}
