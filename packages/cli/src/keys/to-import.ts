import { TezsignerError, isEncryptedSecretKey, withoutOctezKeyTag } from '@tezsigner/core';
import { resolvePassphrase } from '@tezsigner/local-adapter';
import type { CliIo } from '../io/cli-io.js';

/** A secret key an import command was given, and its own passphrase when it is encrypted. */
export interface KeyToImport {
  readonly secretKey: string;
  readonly encrypted: boolean;
  /** the key's own passphrase (--key-passphrase-file, else typed on a terminal); set when encrypted */
  readonly passphrase: string | undefined;
}

/** The option naming the imported key's passphrase file, never the vault's (--passphrase-file). */
export const KEY_PASSPHRASE_OPTION = '--key-passphrase-file';

/**
 * The secret key from the command line, else from standard input when it is piped, else typed
 * on a terminal (both keep it out of the shell history); and, when it is encrypted, its own
 * passphrase from --key-passphrase-file or the terminal. Nothing else is tried for it: the
 * vault's passphrase is another secret. `command` is the command, for messages.
 */
export async function readKeyToImport(given: string | undefined, keyPassphraseFile: string | undefined, io: CliIo, command: string): Promise<KeyToImport> {
  const secretKey = await secretKeyOf(given, io, command);
  const encrypted = isEncryptedSecretKey(withoutOctezKeyTag(secretKey));
  if (!encrypted) return { secretKey, encrypted, passphrase: undefined };
  if (keyPassphraseFile !== undefined) return { secretKey, encrypted, passphrase: await resolvePassphrase({ passphraseFile: keyPassphraseFile, env: {} }) };
  if (io.promptSecret === undefined) {
    throw new TezsignerError('CONFIG_INVALID', `the key to import is encrypted: give its own passphrase with ${KEY_PASSPHRASE_OPTION} <file>, or run on a terminal to type it`);
  }
  return { secretKey, encrypted, passphrase: await io.promptSecret('Passphrase of the key to import: ') };
}

async function secretKeyOf(given: string | undefined, io: CliIo, command: string): Promise<string> {
  if (given !== undefined) {
    io.stderr('tezsigner: warning: a secret key on the command line stays in the shell history; next time pipe it in or let tezsigner ask for it\n');
    return given;
  }
  if (io.readStdin !== undefined) {
    const piped = (await io.readStdin()).trim();
    if (piped === '') throw new TezsignerError('CONFIG_INVALID', `no secret key on standard input: pipe it in (… | ${command}), or run on a terminal to type it`);
    return piped;
  }
  if (io.promptSecret !== undefined) return io.promptSecret('Secret key to import: ');
  throw new TezsignerError('CONFIG_INVALID', `give the secret key to import on standard input (… | ${command}) or on a terminal`);
}
