import { lstat } from 'node:fs/promises';
import type { MemoryKeyProvider, SecretKey } from '@tezsigner/core';
import { withFileLock } from '../files/lock.js';
import type { KeyFile } from './key-file.js';
import { cachedSignerFor, readUnlockCache, removeUnlockCache, writeUnlockCache } from './unlock-cache.js';
import type { UnlockCacheRead } from './unlock-cache.js';

/** What became of the unlock cache (`<home>/unlock-cache`), for the log. */
export type UnlockCacheEvent =
  | {
      readonly kind: 'used';
      readonly path: string;
      /** encrypted keys opened from it, of how many the vault holds */
      readonly keys: number;
      readonly of: number;
      /** keys it holds under the address of a key file but that are not that file's key (opened from the file) */
      readonly mismatched: number;
      readonly ms: number;
    }
  /** not used (readable by others, another passphrase, damaged): rewritten once the keys are open */
  | { readonly kind: 'ignored'; readonly path: string; readonly reason: string }
  /** not a regular file: neither used nor replaced */
  | { readonly kind: 'refused'; readonly path: string; readonly reason: string }
  /** it holds exactly the encrypted keys open (or there is none and none is open): left as it is */
  | { readonly kind: 'current'; readonly path: string }
  | { readonly kind: 'written'; readonly path: string; readonly keys: number }
  | { readonly kind: 'removed'; readonly path: string }
  | { readonly kind: 'not-written'; readonly path: string; readonly err: unknown };

/** The cache as read at start, and the keys it opened: each checked against its key file. */
export interface CachedKeys {
  readonly read: UnlockCacheRead;
  readonly keys: ReadonlyMap<string, { readonly secretKey: SecretKey; readonly signer: MemoryKeyProvider }>;
  /** entries under the address of a key file that are not that file's key */
  readonly mismatched: number;
}

/**
 * Opens the cache (one PBKDF2) and, of the encrypted key `files`, those it holds: each only for
 * a key file that is there, and only once the public key derived from it is that file's.
 */
export async function openCachedKeys(
  path: string,
  passphrase: string | undefined,
  files: readonly KeyFile[],
  tell: (event: UnlockCacheEvent) => void,
): Promise<CachedKeys> {
  const started = performance.now();
  const read: UnlockCacheRead = passphrase === undefined || files.length === 0 ? { state: 'absent' } : await readUnlockCache(path, passphrase);
  const keys = new Map<string, { secretKey: SecretKey; signer: MemoryKeyProvider }>();
  let mismatched = 0;
  if (read.state === 'open') {
    for (const file of files) {
      const signer = await cachedSignerFor(read.keys, file);
      if (signer !== undefined) keys.set(file.pkh, { secretKey: read.keys.get(file.pkh) as SecretKey, signer });
      else if (read.keys.has(file.pkh)) mismatched++;
    }
    tell({ kind: 'used', path, keys: keys.size, of: files.length, mismatched, ms: performance.now() - started });
  } else if (read.state !== 'absent') {
    tell({ kind: read.state, path, reason: read.reason });
  }
  return { read, keys, mismatched };
}

export interface CacheRefresh {
  readonly path: string;
  /** the vault's lock: one writer of the vault at a time */
  readonly lock: string;
  /** what openCachedKeys found */
  readonly read: CachedKeys;
  /** the encrypted keys open once every key is settled, by address */
  readonly open: ReadonlyMap<string, SecretKey>;
  readonly passphrase: string | undefined;
  readonly tell: (event: UnlockCacheEvent) => void;
}

/**
 * Rewrites the unlock cache to hold exactly the encrypted keys open, when it does not already
 * (one PBKDF2, in the background): a key whose file is gone leaves it, a key added joins it;
 * with no encrypted key open, it is removed. One that is not a regular file is left alone.
 */
export async function refreshUnlockCache({ path, lock, read: { read, mismatched }, open, passphrase, tell }: CacheRefresh): Promise<void> {
  if (read.state === 'refused') return;
  const same = read.state === 'open' && mismatched === 0 && read.keys.size === open.size && [...open.keys()].every((pkh) => read.keys.has(pkh));
  const write = open.size > 0 && passphrase !== undefined;
  // nothing to write and nothing there to remove (a vault of plain keys): no lock to take
  if (same || (!write && (await lstat(path).catch(() => undefined)) === undefined)) {
    tell({ kind: 'current', path });
    return;
  }
  try {
    await withFileLock(lock, async () => {
      if (write) {
        await writeUnlockCache(path, open, passphrase);
        tell({ kind: 'written', path, keys: open.size });
      } else if (await removeUnlockCache(path)) {
        tell({ kind: 'removed', path });
      }
    });
  } catch (err) {
    tell({ kind: 'not-written', path, err });
  }
}

/**
 * Adds a key just stored encrypted to the unlock cache, when there is one that opens (two
 * PBKDF2s), so that the next start opens it with the others; any other cache is left as it is
 * for serve to rebuild. The key file is written already: a cache that cannot be updated only
 * lacks the key, which serve then opens from its file and adds. Under the vault's lock.
 */
export async function addToUnlockCache(path: string, passphrase: string, pkh: string, secretKey: SecretKey): Promise<void> {
  try {
    const read = await readUnlockCache(path, passphrase);
    if (read.state !== 'open') return;
    await writeUnlockCache(path, new Map([...read.keys, [pkh, secretKey]]), passphrase);
  } catch {
    // see above: nothing is lost
  }
}
