import type { KeyProvider } from '@tezsigner/core';
import { LocalKeyVault, openHome, resolvePassphrase, type KeyProviderOptions, type UnlockCacheEvent } from '@tezsigner/local-adapter';
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
 * The `local` vault: every key of the home's vault, decrypted once at start, those the unlock
 * cache holds for one PBKDF2 in all; for `serve` (openKeysInBackground) the cached ones now and
 * the rest in the background, each request for a key still closed opening it first, then the
 * cache rewritten: a restarted signer with hundreds of keys is ready within a second or two.
 */
export async function openLocalKeyProvider(options: BackendOptions, io: CliIo): Promise<KeyProvider> {
  const { vault, home } = await openLocalVault(options, io, (opened) => askIfEncrypted(opened, io));
  const opening: KeyProviderOptions =
    options.openKeysInBackground === true
      ? {
          inBackground: true,
          onAllOpen: (count, ms) => io.stderr(`tezsigner: all ${count} keys decrypted, ${(ms / 1000).toFixed(1)} s after the vault was read\n`),
          onFailure: (pkh, err) => io.stderr(`tezsigner: error: the key ${pkh} cannot be opened, so it signs nothing (the others do) until serve is restarted with it fixed: ${describeFailure(err)}\n`),
          onUnlockCache: (event) => {
            if (event.kind !== 'current') io.stderr(`tezsigner: ${unlockCacheLine(event)}\n`);
          },
        }
      : {};
  // the keys are decrypted here: a wrong passphrase shows now, said with where it came from
  return withPassphraseSource(vault.keyProvider(opening), options.passphraseFile, io.env, home);
}

function unlockCacheLine(event: Exclude<UnlockCacheEvent, { kind: 'current' }>): string {
  switch (event.kind) {
    case 'used': {
      const mismatched = event.mismatched === 0 ? '' : `; ${event.mismatched} it held did not match their key files and are opened from the files`;
      return `${event.keys} of ${event.of} encrypted keys opened from the unlock cache ${event.path} in ${event.ms.toFixed(0)} ms${mismatched}`;
    }
    case 'ignored':
      return `warning: the unlock cache ${event.path} is not used: ${event.reason}; the keys are opened from their files, and the cache rewritten once they are`;
    case 'refused':
      return `warning: the unlock cache ${event.path} is not used nor replaced: ${event.reason}; the keys are opened from their files (remove it to let serve rebuild it)`;
    case 'written':
      return `unlock cache ${event.path} written with the ${event.keys} encrypted keys open, for the next start`;
    case 'removed':
      return `unlock cache ${event.path} removed: no encrypted key is open`;
    case 'not-written':
      return `warning: the unlock cache ${event.path} could not be written (the next start opens the keys from their files): ${describeFailure(event.err)}`;
  }
}
