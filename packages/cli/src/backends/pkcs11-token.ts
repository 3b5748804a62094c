import { TezsignerError, type KeyProvider } from '@tezsigner/core';
import { DEFAULT_PKCS11_DEADLINE_MS, PIN_ENV, Pkcs11KeyProvider, readPin, tokenSelector, type TokenSelector } from '@tezsigner/pkcs11-adapter';
import type { Command } from 'commander';
import type { CliIo } from '../io/cli-io.js';
import type { Backend } from './backend.js';

/** The --pkcs11-* options, as commander hands them over. */
export interface Pkcs11Options {
  readonly pkcs11Module?: string;
  readonly pkcs11TokenLabel?: string;
  readonly pkcs11TokenSerial?: string;
  readonly pkcs11Slot?: string;
  readonly pkcs11PinFile?: string;
  readonly pkcs11Sessions?: string;
  readonly pkcs11DeadlineMs?: string;
  readonly pkcs11RestartAfterMs?: string;
}

export interface Pkcs11Token {
  readonly modulePath: string;
  readonly token: TokenSelector;
  readonly pin: string;
  /** the module's environment (SOFTHSM2_CONF, YUBIHSM_PKCS11_CONF, …): the command's own */
  readonly env: NodeJS.ProcessEnv;
}

/** Which module, which token, and the PIN file: every command that opens a token. */
export function addPkcs11TokenOptions(command: Command): Command {
  return command
    .option('--pkcs11-module <path>', "the HSM vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so")
    .option('--pkcs11-token-label <label>', 'the token, by its label')
    .option('--pkcs11-token-serial <serial>', 'the token, by its serial number')
    .option('--pkcs11-slot <index>', 'the token, by the index of its slot among those with a token (0 is the first)')
    .option('--pkcs11-pin-file <file>', `file (mode 0600) holding the token's user PIN (default: $${PIN_ENV})`);
}

/** The options of `--vault pkcs11`. */
export function addPkcs11VaultOptions(command: Command): Command {
  return addPkcs11TokenOptions(command)
    .option('--pkcs11-sessions <n>', 'with --vault pkcs11: sessions opened on the token at most (default 8)')
    .option('--pkcs11-deadline-ms <ms>', `with --vault pkcs11: time a signature may take before failing closed (default ${DEFAULT_PKCS11_DEADLINE_MS})`)
    .option('--pkcs11-restart-after-ms <ms>', 'with --vault pkcs11: a call out this long never returns: the module is started anew in a new process (default 10000, or 3 deadlines)');
}

/** The module, token and PIN the options name; the PIN file is read (and its mode checked) here. */
export async function pkcs11Token(options: Pkcs11Options, io: CliIo): Promise<Pkcs11Token> {
  if (options.pkcs11Module === undefined || options.pkcs11Module === '') {
    throw new TezsignerError('CONFIG_INVALID', 'name the PKCS#11 library with --pkcs11-module (e.g. /usr/lib/softhsm/libsofthsm2.so)');
  }
  const token = tokenSelector({ label: options.pkcs11TokenLabel, serial: options.pkcs11TokenSerial, slot: options.pkcs11Slot });
  return { modulePath: options.pkcs11Module, token, pin: await readPin(options.pkcs11PinFile, io.env), env: { ...io.env } };
}

function bounded(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new TezsignerError('CONFIG_INVALID', `${flag} ${JSON.stringify(text)}: a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** `--vault pkcs11`: tz1/tz2/tz3 keys on a PKCS#11 token. */
export function pkcs11Vault(): Backend<KeyProvider> {
  return {
    description: 'tz1/tz2/tz3 keys on a PKCS#11 HSM token (--pkcs11-module)',
    open: async (options, io) => {
      const pkcs11 = options as Pkcs11Options;
      const maxSessions = bounded(pkcs11.pkcs11Sessions, '--pkcs11-sessions', 1, 256);
      const deadlineMs = bounded(pkcs11.pkcs11DeadlineMs, '--pkcs11-deadline-ms', 100, 60_000);
      const restartAfterMs = bounded(pkcs11.pkcs11RestartAfterMs, '--pkcs11-restart-after-ms', 500, 600_000);
      return Pkcs11KeyProvider.open({
        ...(await pkcs11Token(pkcs11, io)),
        ...(maxSessions === undefined ? {} : { maxSessions }),
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
        ...(restartAfterMs === undefined ? {} : { restartAfterMs }),
        logger: {
          info: (line) => io.stderr(`tezsigner: pkcs11: ${line}\n`),
          warn: (line) => io.stderr(`tezsigner: pkcs11: warning: ${line}\n`),
        },
      });
    },
  };
}

/** Removes the PIN from the environment once the token is open, as the vault passphrase is. */
export function forgetPinEnv(env: Record<string, string | undefined>): void {
  delete env[PIN_ENV];
}
