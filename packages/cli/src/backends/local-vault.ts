import type { KeyProvider } from '@tezsigner/core';
import { LocalKeyVault, openHome, resolvePassphrase, type KeyProviderOptions } from '@tezsigner/local-adapter';
import type { CliIo } from '../io/cli-io.js';
import { describeFailure } from '../io/describe-failure.js';
import type { BackendOptions } from './backend-options.js';
import { checkPassphraseFileMode } from './passphrase-file-mode.js';
import { withPassphraseSource } from './passphrase-source.js';

/** The home folder, private; created if missing only with createHome. What had to be fixed (or would, in a dry run) is told on stderr. */
export async function openHomeFolder(options: Pick<BackendOptions, 'home' | 'createHome' | 'dryRun'>, io: CliIo): Promise<string> {
  const home = await openHome({ home: options.home, env: io.env, existing: options.createHome !== true, changeNothing: options.dryRun === true });
  for (const warning of home.warnings) io.stderr(`tezsigner: warning: ${warning}\n`);
  return home.path;
}

export interface OpenedVault {
  readonly vault: LocalKeyVault;
  readonly home: string;
  /** whether a passphrase was given (option, environment or terminal) */
  readonly hasPassphrase: boolean;
}

/**
 * The local key vault of the home. The passphrase comes from --passphrase-file, then
 * TEZSIGNER_PASSPHRASE(_FILE), then `<home>/passphrase`; on a terminal, `ask` says when to
 * prompt for it instead.
 */
export async function openLocalVault(
  options: Pick<BackendOptions, 'home' | 'passphraseFile' | 'createHome' | 'dryRun'>,
  io: CliIo,
  ask: (vault: LocalKeyVault) => Promise<string | undefined> = async () => undefined,
): Promise<OpenedVault> {
  const home = await openHomeFolder(options, io);
  await checkPassphraseFileMode(options.passphraseFile, io.env);
  let passphrase = await resolvePassphrase({ passphraseFile: options.passphraseFile, env: io.env, home });
  const changeNothing = options.dryRun === true;
  let vault = await withPassphraseSource(LocalKeyVault.open({ home, passphrase, changeNothing }), options.passphraseFile, io.env, home);
  for (const warning of vault.warnings) io.stderr(`tezsigner: warning: ${warning}\n`);
  if (passphrase === undefined && io.promptSecret !== undefined) {
    passphrase = await ask(vault);
    if (passphrase !== undefined) vault = await withPassphraseSource(LocalKeyVault.open({ home, passphrase, changeNothing }), undefined, {}, home);
  }
  return { vault, home, hasPassphrase: passphrase !== undefined };
}

/** Asks for the passphrase on the terminal only when stored keys are encrypted. */
export async function askIfEncrypted(vault: LocalKeyVault, io: CliIo): Promise<string | undefined> {
  const keys = await vault.list();
  if (!keys.some((key) => key.encrypted) || io.promptSecret === undefined) return undefined;
  return io.promptSecret(`Passphrase of the key vault ${vault.directory}: `);
}

/**
 * The `local` vault: every key of the home's vault, decrypted once at start, or for `serve`
 * (openKeysInBackground) one now and the rest in the background, each request for a key still
 * closed opening it first: a restarted signer with hundreds of keys answers within a second.
 */
export async function openLocalKeyProvider(options: BackendOptions, io: CliIo): Promise<KeyProvider> {
  const { vault, home } = await openLocalVault(options, io, (opened) => askIfEncrypted(opened, io));
  const opening: KeyProviderOptions =
    options.openKeysInBackground === true
      ? {
          inBackground: true,
          onAllOpen: (count, ms) => io.stderr(`tezsigner: all ${count} keys decrypted, ${(ms / 1000).toFixed(1)} s after the vault was read\n`),
          onFailure: (pkh, err) => io.stderr(`tezsigner: error: the key ${pkh} cannot be opened, so it signs nothing (the others do) until serve is restarted with it fixed: ${describeFailure(err)}\n`),
        }
      : {};
  // the keys are decrypted here: a wrong passphrase shows now, said with where it came from
  return withPassphraseSource(vault.keyProvider(opening), options.passphraseFile, io.env, home);
}
