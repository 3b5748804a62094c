import type { EffectiveSetting } from './effective-config.js';

export const MASK = '********';

function display(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(String).join(', ');
  return String(value);
}

function isSecret(setting: EffectiveSetting): boolean {
  return setting.field.secret === true || (setting.envName !== undefined && (setting.field.secretEnv ?? []).includes(setting.envName));
}

/** `key: value  (source)`, one line per setting; secret values are masked, whatever their source. */
export function formatSettings(settings: readonly EffectiveSetting[]): string {
  const rows = settings.map((setting) => {
    const value = setting.source === 'unset' ? '(not set)' : isSecret(setting) ? MASK : display(setting.value);
    const source = setting.source === 'env' ? `env ${setting.envName ?? ''}` : setting.source === 'flag' ? `flag ${setting.field.flag ?? ''}` : setting.source;
    return [setting.field.key, value, source] as const;
  });
  const keyWidth = Math.max(...rows.map(([key]) => key.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return rows.map(([key, value, source]) => `${`${key}:`.padEnd(keyWidth + 1)} ${value.padEnd(valueWidth)}  (${source})\n`).join('');
}
