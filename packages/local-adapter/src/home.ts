import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { describe, ensurePrivateDirectory, inspectPrivateDirectory } from './files/private-directory.js';

export const HOME_ENV = 'TEZSIGNER_HOME';
export const DEFAULT_HOME_NAME = '.tezsigner';

export interface HomeOptions {
  /** explicit folder (command-line option); wins over the environment */
  readonly home?: string | undefined;
  /** environment to read TEZSIGNER_HOME from; process.env by default */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

export interface Home {
  /** absolute path of the folder */
  readonly path: string;
  /** what had to be fixed on the way (a folder too open was restricted to 0700), for people */
  readonly warnings: readonly string[];
}

/** The home folder's path: the explicit option, else TEZSIGNER_HOME, else ~/.tezsigner. */
export function resolveHomePath(options: HomeOptions = {}): string {
  const env = options.env ?? process.env;
  const chosen = nonEmpty(options.home) ?? nonEmpty(env[HOME_ENV]);
  if (chosen === undefined) return join(homedir(), DEFAULT_HOME_NAME);
  // A quoted "~/…" (systemd units, .env files) reaches us unexpanded by any shell.
  return resolve(chosen === '~' || chosen.startsWith('~/') ? join(homedir(), chosen.slice(1)) : chosen);
}

/**
 * Resolves the home folder and makes sure it is private (0700) and ours, creating it when
 * missing, unless `existing`: a command that only reads or serves refuses a home that does not
 * exist (CONFIG_INVALID), so a mistyped --home is noticed instead of made. `changeNothing` (a dry
 * run) implies `existing` and leaves a home too open as it is, saying so in the warnings.
 */
export async function openHome(options: HomeOptions & { readonly existing?: boolean | undefined; readonly changeNothing?: boolean | undefined } = {}): Promise<Home> {
  const path = resolveHomePath(options);
  if (options.existing === true || options.changeNothing === true) await mustExist(path);
  const warnings = options.changeNothing === true ? await inspectPrivateDirectory(path) : await ensurePrivateDirectory(path);
  return { path, warnings };
}

async function mustExist(path: string): Promise<void> {
  try {
    await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw configInvalid(`cannot read the home folder ${path}: ${describe(err)}`, err);
    throw configInvalid(`no tezsigner home at ${path}: check --home or ${HOME_ENV}, or make one with \`tezsigner init\``, err);
  }
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
