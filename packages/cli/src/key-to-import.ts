import { TezsignerError, isEncryptedSecretKey, withoutOctezKeyTag } from '@tezsigner/core';
import { resolvePassphrase } from '@tezsigner/local-adapter';
import type { CliIo } from './cli-io.js';

/** A secret key an import command was given, and its own passphrase when it is encrypted. */
export interface KeyToImport {
  readonly secretKey: string;
  readonly encrypted: boolean;
  /** from --passphrase-file, else typed on a terminal; undefined when neither is possible */
  readonly passphrase: string | undefined;
}

/**
 * The secret key from the command line, else typed on a terminal (which keeps it out of the
 * shell history), and, when it is encrypted, its passphrase. `usage` says how to give the key
 * when there is no terminal to ask on.
 */
export async function readKeyToImport(given: string | undefined, passphraseFile: string | undefined, io: CliIo, usage: string): Promise<KeyToImport> {
  let secretKey = given;
  if (secretKey === undefined) {
    if (io.promptSecret === undefined) throw new TezsignerError('CONFIG_INVALID', `give the secret key to import: ${usage}`);
    secretKey = await io.promptSecret('Secret key to import: ');
  }
  const encrypted = isEncryptedSecretKey(withoutOctezKeyTag(secretKey));
  let passphrase: string | undefined;
  if (encrypted && passphraseFile !== undefined) passphrase = await resolvePassphrase({ passphraseFile, env: {} });
  else if (encrypted && io.promptSecret !== undefined) passphrase = await io.promptSecret('Passphrase of the key to import: ');
  return { secretKey, encrypted, passphrase };
}

export function passphraseNeeded(): TezsignerError {
  return new TezsignerError('CONFIG_INVALID', 'the key to import is encrypted: give its passphrase with --passphrase-file <file>, or run on a terminal to type it');
}
