import { access } from 'node:fs/promises';
import { TezsignerError, isTezsignerError } from '@tezsigner/core';
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, homePassphrasePath } from '@tezsigner/local-adapter';

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/**
 * Where the vault passphrase came from, in resolvePassphrase's order, for people: a wrong
 * passphrase is fixed where it was read, not where the reader guesses.
 */
export async function passphraseSource(passphraseFile: string | undefined, env: Readonly<Record<string, string | undefined>>, home: string): Promise<string> {
  if (passphraseFile !== undefined) return `--passphrase-file ${passphraseFile}`;
  if (nonEmpty(env[PASSPHRASE_ENV]) !== undefined) return `$${PASSPHRASE_ENV}`;
  const file = nonEmpty(env[PASSPHRASE_FILE_ENV]);
  if (file !== undefined) return `${file} ($${PASSPHRASE_FILE_ENV})`;
  const homeFile = homePassphrasePath(home);
  return access(homeFile).then(
    () => homeFile,
    () => 'the terminal',
  );
}

/** A WRONG_PASSPHRASE error that also says where that passphrase came from, and where else one can. */
export async function withPassphraseSource<T>(opening: Promise<T>, passphraseFile: string | undefined, env: Readonly<Record<string, string | undefined>>, home: string): Promise<T> {
  try {
    return await opening;
  } catch (err) {
    if (!isTezsignerError(err, 'WRONG_PASSPHRASE')) throw err;
    const source = await passphraseSource(passphraseFile, env, home);
    throw new TezsignerError(
      'WRONG_PASSPHRASE',
      `${err.message}: the passphrase came from ${source}; give the vault's with --passphrase-file FILE, $${PASSPHRASE_ENV}, $${PASSPHRASE_FILE_ENV} or ${homePassphrasePath(home)}`,
      { cause: err },
    );
  }
}
