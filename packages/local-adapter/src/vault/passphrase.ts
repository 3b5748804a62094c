import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { homePassphrasePath } from './home-passphrase.js';
import { describe } from '../files/private-directory.js';

export const PASSPHRASE_ENV = 'TEZSIGNER_PASSPHRASE';
export const PASSPHRASE_FILE_ENV = 'TEZSIGNER_PASSPHRASE_FILE';

export interface PassphraseOptions {
  /** explicit passphrase; wins over everything else */
  readonly passphrase?: string | undefined;
  /** explicit passphrase file; wins over the environment's */
  readonly passphraseFile?: string | undefined;
  /** environment to read TEZSIGNER_PASSPHRASE(_FILE) from; process.env by default */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** the tezsigner home, whose `passphrase` file (made by `tezsigner init`) comes last */
  readonly home?: string | undefined;
}

/** How to give a passphrase, for error messages. */
export const PASSPHRASE_HOW_TO =
  `give the passphrase with --passphrase-file <file> (or ${PASSPHRASE_FILE_ENV}) or the ${PASSPHRASE_ENV} environment variable`;

/**
 * The vault passphrase: the explicit value, else the explicit passphrase file, else
 * TEZSIGNER_PASSPHRASE, else the TEZSIGNER_PASSPHRASE_FILE file, else the home's `passphrase`
 * file when it exists; undefined when none is given.
 * Options beat the environment, as everywhere on a command line: an exported variable must not
 * silently override a file named on purpose. A file loses its one trailing newline. An empty
 * passphrase is refused (CONFIG_INVALID): it would encrypt keys with no secret at all while
 * looking protected.
 */
export async function resolvePassphrase(options: PassphraseOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  if (options.passphrase !== undefined) return nonEmptyPassphrase(options.passphrase, 'the given passphrase');
  if (options.passphraseFile !== undefined) return readPassphraseFile(options.passphraseFile);
  const fromEnv = env[PASSPHRASE_ENV];
  // An empty variable is how shells and unit files spell "unset".
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = env[PASSPHRASE_FILE_ENV];
  if (file !== undefined && file !== '') return readPassphraseFile(file);
  if (options.home === undefined) return undefined;
  const homeFile = homePassphrasePath(options.home);
  return (await exists(homeFile)) ? readPassphraseFile(homeFile) : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw configInvalid(`cannot read the passphrase file ${path}: ${describe(err)}`, err);
  }
}

async function readPassphraseFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read the passphrase file ${file}: ${describe(err)}`, err);
  }
  // Only the newline an editor or `echo` appends: spaces may belong to the passphrase.
  return nonEmptyPassphrase(text.replace(/\r?\n$/, ''), `the passphrase file ${file}`);
}

function nonEmptyPassphrase(passphrase: string, origin: string): string {
  if (passphrase === '') throw configInvalid(`${origin} is empty`);
  return passphrase;
}
