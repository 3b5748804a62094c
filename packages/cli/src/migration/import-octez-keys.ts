import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { TezsignerError, b58cDecode, decodeSecretKey, decryptSecretKeyAsync, derivePublicKey, encodeSecretKey, isTezsignerError, publicKeyHash } from '@tezsigner/core';
import type { SecretKey } from '@tezsigner/core';
import { isKeyName, resolveHomePath } from '@tezsigner/local-adapter';
import type { VaultKeyInfo } from '@tezsigner/local-adapter';
import { openLocalVault } from '../backends/local-vault.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { vaultForAdding } from '../commands/keys.js';
import type { CliIo } from '../io/cli-io.js';
import type { OctezSecretKey } from './octez-secret-keys.js';
import { exists } from './path-exists.js';

export interface KeyImportOptions extends Pick<BackendOptions, 'home' | 'passphraseFile'> {
  readonly plain?: boolean;
  /** passphrases of the encrypted keys, one a line, tried in turn (octez's --password-filename) */
  readonly keyPassphraseFile?: string;
  readonly dryRun?: boolean;
}

export interface UnlockedKey {
  readonly name: string;
  readonly secretKey: SecretKey;
  readonly pkh: string;
}

/** What a `secret_keys` file gave: the keys opened, and how many were not. */
export interface UnlockedKeys {
  readonly file: string;
  readonly total: number;
  readonly unlocked: readonly UnlockedKey[];
  /** held by another signer or device (remote:, ledger://, …): nothing to import, nothing wrong */
  readonly elsewhere: number;
  /** held here but not opened (no passphrase fits, malformed): the operator must know */
  readonly skipped: number;
}

/**
 * Opens the keys of an octez `secret_keys` file, storing nothing, and prints each key skipped
 * or held elsewhere, and why. A key that cannot be read (a malformed `unencrypted:` or
 * `encrypted:` value) is skipped like one no passphrase opens: named with its file and alias,
 * the others imported, and the command ends non-zero unless --allow-skipped.
 */
export async function unlockOctezKeys(keys: readonly OctezSecretKey[], file: string, options: KeyImportOptions, io: CliIo): Promise<UnlockedKeys> {
  const passphrases = await passphrasesOf(options.keyPassphraseFile);
  const unlocked: UnlockedKey[] = [];
  let skipped = 0;
  let elsewhere = 0;
  for (const key of keys) {
    if (key.kind === 'elsewhere') {
      elsewhere += 1;
      io.stdout(`left    key "${key.name}": ${key.reason}\n`);
      continue;
    }
    const secretKey = key.kind === 'malformed' ? key.reason : key.kind === 'unencrypted' ? plainKey(key.secretKey) : await decrypt(key.name, key.secretKey, passphrases, io);
    if (typeof secretKey === 'string') {
      skipped += 1;
      io.stdout(`skipped key "${key.name}" of ${file}: ${secretKey}\n`);
      continue;
    }
    unlocked.push({ name: key.name, secretKey, pkh: publicKeyHash(secretKey.curve, derivePublicKey(secretKey)) });
  }
  return { file, total: keys.length, unlocked, elsewhere, skipped };
}

/** Whether the command must end non-zero: a key held here was not imported. */
export function skippedKeysError(keys: UnlockedKeys): TezsignerError | undefined {
  if (keys.skipped === 0) return undefined;
  return new TezsignerError(
    'CONFIG_INVALID',
    `${keys.skipped} key${keys.skipped === 1 ? '' : 's'} of ${keys.file} skipped (named above): give the passphrases (--key-passphrase-file) or fix the file and import again (what is imported stays), or pass --allow-skipped to go on without them`,
  );
}

/**
 * Stores the opened keys in the local vault, under the vault's own encryption, and prints each
 * key imported or kept (already in the vault). A key already in the vault is left as it is, so a
 * second import changes nothing. A dry run reads the vault, if there is one, and writes nothing.
 */
export async function storeOctezKeys(keys: UnlockedKeys, options: KeyImportOptions, io: CliIo): Promise<void> {
  const inVault = await keysInVault(options, io, keys.unlocked.length > 0 && options.dryRun !== true);
  let imported = 0;
  for (const key of keys.unlocked) {
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
  const counts = [`${imported} ${verb}`, `${keys.unlocked.length - imported} already in the vault`, `${keys.elsewhere} held elsewhere`, `${keys.skipped} skipped`];
  io.stdout(`${keys.total} key${keys.total === 1 ? '' : 's'}: ${counts.join(', ')}\n`);
}

function plainKey(text: string): SecretKey | string {
  try {
    return decodeSecretKey(text);
  } catch (err) {
    if (isTezsignerError(err, 'INVALID_ENCODING')) return `malformed unencrypted key: ${err.message}`;
    throw err;
  }
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
  try {
    b58cDecode(text, ['edesk', 'spesk', 'p2esk', 'BLesk'], 'an edesk/spesk/p2esk/BLesk encrypted secret key');
  } catch (err) {
    if (isTezsignerError(err, 'INVALID_ENCODING')) return `malformed encrypted key: ${err.message}`;
    throw err;
  }
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
  // a dry run: opening the vault makes its folder, so a home without one holds no keys and stays as it is
  if (!(await exists(join(resolveHomePath({ home: options.home, env: io.env }), 'keys')))) return { list: [] };
  try {
    const { vault } = await openLocalVault({ home: options.home, dryRun: true }, io);
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
