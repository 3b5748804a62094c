import { lstat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MemoryKeyProvider, decodeSecretKey, encodeSecretKey, isTezsignerError, openWithPassphraseAsync, sealWithPassphraseAsync } from '@tezsigner/core';
import type { Curve, SecretKey } from '@tezsigner/core';
import { fsyncDirectory, writeFileAtomic } from '../files/atomic-write.js';
import { describe, octal } from '../files/private-directory.js';
import { kindOf, NotARegularFile, readRegularFileAndInfo } from '../files/regular-file.js';

/*
 * Why an unlock cache does not weaken encryption at rest: every key file is sealed by octez's
 * scheme (PBKDF2-HMAC-SHA512, 32,768 rounds, a random salt, secretbox) under the one vault
 * passphrase, so whoever learns that passphrase opens every key file, and an attacker holding
 * the files tests a guess with one PBKDF2 against any one of them. The cache holds the same
 * secret keys sealed by the same scheme (core's sealWithPassphraseAsync), under the same
 * passphrase, with a fresh random salt at each write: a guess against it costs exactly one
 * PBKDF2 of the same rounds as against a key file, a salt never seen before rules out tables
 * computed in advance, and opening it yields nothing that the key files do not already yield to
 * the same passphrase. What it saves is the signer's own work: one PBKDF2 at start instead of one
 * per key. It never holds a key stored plain (nothing to save) and lives 0600 in the 0700 home.
 */

const FORMAT = 'tezsigner unlock cache';
const VERSION = 1;

/** `<home>/unlock-cache`: every encrypted key of the vault, sealed at once under the vault passphrase. */
export const unlockCachePath = (home: string) => join(home, 'unlock-cache');

export type UnlockCacheRead =
  | { readonly state: 'absent' }
  /** not a regular file (a link, a folder, a FIFO): neither read nor replaced */
  | { readonly state: 'refused'; readonly reason: string }
  /** there but unusable (readable by others, another passphrase, damaged): not used, to be rewritten */
  | { readonly state: 'ignored'; readonly reason: string }
  /** the secret keys it holds by address, each still to be checked against its key file (cachedSignerFor) */
  | { readonly state: 'open'; readonly keys: ReadonlyMap<string, SecretKey> };

/** Reads and opens the cache with one PBKDF2; never throws for what it finds there, only says it. */
export async function readUnlockCache(path: string, passphrase: string): Promise<UnlockCacheRead> {
  let read;
  try {
    read = await readRegularFileAndInfo(path);
  } catch (err) {
    if (err instanceof NotARegularFile) return { state: 'refused', reason: `it is ${err.what}, not a regular file` };
    return { state: 'ignored', reason: `it cannot be read: ${describe(err)}` };
  }
  if (read === undefined) return { state: 'absent' };
  if ((read.info.mode & 0o077) !== 0) return { state: 'ignored', reason: `it is accessible to others (mode ${octal(read.info.mode)})` };
  const uid = process.getuid?.();
  if (uid !== undefined && read.info.uid !== uid) return { state: 'ignored', reason: `it belongs to user ${read.info.uid}, not to ${uid}` };
  const sealed = sealedBytes(read.text);
  if (sealed === undefined) return { state: 'ignored', reason: 'it is damaged (not a tezsigner unlock cache of this version)' };
  let plain: Uint8Array;
  try {
    plain = await openWithPassphraseAsync(sealed, passphrase);
  } catch (err) {
    if (!isTezsignerError(err, 'WRONG_PASSPHRASE')) throw err;
    return { state: 'ignored', reason: 'it does not open with this passphrase (sealed under another one, or damaged)' };
  }
  const keys = secretKeys(plain);
  plain.fill(0);
  // sealed by us but not what we seal: only a bug or a tampering with the passphrase known could do this
  return keys === undefined ? { state: 'ignored', reason: 'it opens but holds no list of keys this version reads' } : { state: 'open', keys };
}

/**
 * The signer of the secret key the cache holds for the key file announcing `key`, only once
 * checked to be that key: the address, curve and public key derived from it equal the file's.
 * Undefined otherwise (that key is then opened from its own file).
 */
export async function cachedSignerFor(
  keys: ReadonlyMap<string, SecretKey>,
  key: { readonly pkh: string; readonly curve: Curve; readonly publicKey: string },
): Promise<MemoryKeyProvider | undefined> {
  const secret = keys.get(key.pkh);
  if (secret === undefined || secret.curve !== key.curve) return undefined;
  // one derivation checks the key and makes its signer (a restart opens hundreds of them)
  const signer = new MemoryKeyProvider([secret]);
  const derived = await signer.getKey(key.pkh);
  return derived?.curve === key.curve && derived.publicKey === key.publicKey ? signer : undefined;
}

/**
 * Replaces the cache with `keys` (by address) sealed under `passphrase` with a fresh salt: 0600,
 * atomically and durably. Refuses to replace anything but a regular file (what it is says why).
 */
export async function writeUnlockCache(path: string, keys: ReadonlyMap<string, SecretKey>, passphrase: string): Promise<void> {
  await mustBeRegularOrAbsent(path);
  const entries = Object.fromEntries([...keys].map(([pkh, secret]) => [pkh, encodeSecretKey(secret)]));
  const plain = new TextEncoder().encode(JSON.stringify({ keys: entries }));
  const sealed = await sealWithPassphraseAsync(plain, passphrase);
  plain.fill(0);
  const file = { format: FORMAT, version: VERSION, sealed: Buffer.from(sealed).toString('base64') };
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`, 0o600);
}

/** Removes the cache (durably: its folder is flushed), when it is a regular file; nothing when absent. */
export async function removeUnlockCache(path: string): Promise<boolean> {
  await mustBeRegularOrAbsent(path);
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await fsyncDirectory(dirname(path));
  return true;
}

async function mustBeRegularOrAbsent(path: string): Promise<void> {
  const info = await lstat(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  });
  if (info !== undefined && !info.isFile()) throw new NotARegularFile(path, kindOf(info));
}

function sealedBytes(text: string): Uint8Array | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = value as { format?: unknown; version?: unknown; sealed?: unknown } | null;
  if (typeof file !== 'object' || file === null || file.format !== FORMAT || file.version !== VERSION) return undefined;
  if (typeof file.sealed !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(file.sealed)) return undefined;
  return new Uint8Array(Buffer.from(file.sealed, 'base64'));
}

/** The keys of an opened cache; undefined when it is not the list we seal (never says what it holds). */
function secretKeys(plain: Uint8Array): Map<string, SecretKey> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return undefined;
  }
  const entries = (value as { keys?: unknown } | null)?.keys;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return undefined;
  const keys = new Map<string, SecretKey>();
  for (const [pkh, text] of Object.entries(entries)) {
    if (typeof text !== 'string') continue;
    try {
      keys.set(pkh, decodeSecretKey(text));
    } catch {
      // an entry that does not decode is skipped: its key is opened from its file
    }
  }
  return keys;
}
