import { stat } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV } from '@tezsigner/local-adapter';

/** The passphrase file the vault would read: the option, else the environment's when no passphrase is set there. */
function passphraseFileOf(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (option !== undefined) return option;
  if (env[PASSPHRASE_ENV] !== undefined && env[PASSPHRASE_ENV] !== '') return undefined;
  const file = env[PASSPHRASE_FILE_ENV];
  return file === undefined || file === '' ? undefined : file;
}

/**
 * Refuses a passphrase file that anyone but its owner may read or write, as ssh refuses such a
 * key: the passphrase protects every key of the vault. A file that cannot be read is left to
 * the reader, which says why.
 */
export async function checkPassphraseFileMode(option: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const file = passphraseFileOf(option, env);
  if (file === undefined) return;
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch {
    return;
  }
  if ((mode & 0o077) !== 0) {
    throw configInvalid(
      `the passphrase file ${file} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${file} (or use systemd's LoadCredential=)`,
    );
  }
}

/**
 * Removes the passphrase from process.env once the vault is open, so a child process or a crash
 * report does not find it later. The kernel's copy (/proc/<pid>/environ) stays as the process
 * started: docs/production.md says so, and points at --passphrase-file.
 */
export function forgetPassphraseEnv(env: Record<string, string | undefined>): void {
  delete env[PASSPHRASE_ENV];
}
