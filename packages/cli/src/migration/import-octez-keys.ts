import { readFile } from 'node:fs/promises';
import { TezsignerError, decodeSecretKey, decryptSecretKeyAsync, derivePublicKey, encodeSecretKey, isTezsignerError, publicKeyHash } from '@tezsigner/core';
import type { SecretKey } from '@tezsigner/core';
import { isKeyName } from '@tezsigner/local-adapter';
import type { VaultKeyInfo } from '@tezsigner/local-adapter';
import { openLocalVault } from '../backends/local-vault.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { vaultForAdding } from '../commands/keys.js';
import type { CliIo } from '../io/cli-io.js';
import type { OctezSecretKey } from './octez-secret-keys.js';

export interface KeyImportOptions extends Pick<BackendOptions, 'home' | 'passphraseFile'> {
  readonly plain?: boolean;
  /** passphrases of the encrypted keys, one a line, tried in turn (octez's --password-filename) */
  readonly keyPassphraseFile?: string;
  readonly dryRun?: boolean;
}

interface Unlocked {
  readonly name: string;
  readonly secretKey: SecretKey;
  readonly pkh: string;
}

/**
 * Puts the keys of an octez `secret_keys` file into the local vault, under the vault's own
 * encryption; prints each key imported, kept (already in the vault) or skipped, and why. A
 * key already in the vault is left as it is, so a second import changes nothing.
 */
export async function importOctezKeys(keys: readonly OctezSecretKey[], options: KeyImportOptions, io: CliIo): Promise<void> {
  const passphrases = await passphrasesOf(options.keyPassphraseFile);
  const unlocked: Unlocked[] = [];
  let skipped = 0;
  const skip = (name: string, reason: string) => {
    skipped += 1;
    io.stdout(`skipped key "${name}": ${reason}\n`);
  };
  for (const key of keys) {
    if (key.kind === 'elsewhere') {
      skip(key.name, key.reason);
      continue;
    }
    const secretKey = key.kind === 'unencrypted' ? decodeSecretKey(key.secretKey) : await decrypt(key.name, key.secretKey, passphrases, io);
    if (typeof secretKey === 'string') {
      skip(key.name, secretKey);
      continue;
    }
    unlocked.push({ name: key.name, secretKey, pkh: publicKeyHash(secretKey.curve, derivePublicKey(secretKey)) });
  }
  const inVault = await keysInVault(options, io, unlocked.length > 0 && options.dryRun !== true);
  let imported = 0;
  for (const key of unlocked) {
    const held = inVault.list.find((stored) => stored.pkh === key.pkh);
    if (held !== undefined) {
      io.stdout(`kept    key "${key.name}" ${key.pkh}: already in the vault as "${held.name}"\n`);
      continue;
    }
    imported += 1;
    if (inVault.add === undefined) {
      io.stdout(`would import key "${key.name}" ${key.pkh} (${key.secretKey.curve})\n`);
      continue;
    }
    const name = vaultName(key.name, inVault.list);
    const stored = await inVault.add(encodeSecretKey(key.secretKey), { name, plain: options.plain });
    inVault.list.push(stored);
    io.stdout(`imported key "${key.name}" ${key.pkh} (${key.secretKey.curve}) as "${stored.name}"\n`);
  }
  const verb = options.dryRun === true ? 'would be imported' : 'imported';
  io.stdout(`${keys.length} key${keys.length === 1 ? '' : 's'}: ${imported} ${verb}, ${unlocked.length - imported} already in the vault, ${skipped} skipped\n`);
}

async function passphrasesOf(file: string | undefined): Promise<string[]> {
  if (file === undefined) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return text.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line !== '');
}

/**
 * The key, opened with the first passphrase that fits; else one typed on a terminal (kept for
 * the keys after it, which often share it); else the reason it is skipped.
 */
async function decrypt(name: string, text: string, passphrases: string[], io: CliIo): Promise<SecretKey | string> {
  for (const passphrase of passphrases) {
    const key = await tryDecrypt(text, passphrase);
    if (key !== undefined) return key;
  }
  if (io.promptSecret === undefined) {
    return passphrases.length === 0
      ? 'encrypted: give its passphrase with --key-passphrase-file (one passphrase a line), or run on a terminal to type it'
      : 'encrypted, and no passphrase of --key-passphrase-file opens it';
  }
  const typed = await io.promptSecret(`Passphrase of the octez key "${name}": `);
  const key = await tryDecrypt(text, typed);
  if (key === undefined) return 'wrong passphrase';
  passphrases.push(typed);
  return key;
}

async function tryDecrypt(text: string, passphrase: string): Promise<SecretKey | undefined> {
  try {
    return await decryptSecretKeyAsync(text, passphrase);
  } catch (err) {
    if (isTezsignerError(err, 'WRONG_PASSPHRASE')) return undefined;
    throw err;
  }
}

interface VaultView {
  readonly list: VaultKeyInfo[];
  /** absent for a dry run: nothing is written */
  readonly add?: (secretKey: string, options: { name: string | undefined; plain: boolean | undefined }) => Promise<VaultKeyInfo>;
}

async function keysInVault(options: KeyImportOptions, io: CliIo, adding: boolean): Promise<VaultView> {
  if (adding) {
    const { vault } = await vaultForAdding({ home: options.home, passphraseFile: options.passphraseFile, plain: options.plain }, io);
    return { list: await vault.list(), add: (secretKey, add) => vault.importKey(secretKey, add) };
  }
  try {
    const { vault } = await openLocalVault({ home: options.home }, io);
    return { list: await vault.list() };
  } catch (err) {
    // a dry run into a home not made yet: nothing is in its vault
    if (isTezsignerError(err)) return { list: [] };
    throw err;
  }
}

/** The octez alias as a key name where it can be one (spaces and the like replaced) and is free; else the vault's default. */
function vaultName(alias: string, stored: readonly VaultKeyInfo[]): string | undefined {
  const name = alias.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, 100);
  return isKeyName(name) && !stored.some((key) => key.name === name) ? name : undefined;
}
