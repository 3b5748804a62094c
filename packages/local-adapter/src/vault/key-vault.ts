import { chmod, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  TezsignerError,
  configInvalid,
  decodeSecretKey,
  decryptSecretKeyAsync,
  derivePublicKey,
  encodePublicKey,
  encodeSecretKey,
  encryptSecretKeyAsync,
  generateSecretKey,
  isEncryptedSecretKey,
  withoutOctezKeyTag,
  isTezsignerError,
  publicKeyHash,
} from '@tezsigner/core';
import type { Curve, KeyInfo, KeyProvider, SecretKey } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { fileSystemType } from '../files/file-system-type.js';
import { lacksHardLinks } from '../files/hard-links.js';
import { withFileLock } from '../files/lock.js';
import { isEncrypted, isKeyName, keyFileName, keyNameOf, readKeyFile, serializeKeyFile } from './key-file.js';
import type { KeyFile } from './key-file.js';
import { PASSPHRASE_HOW_TO } from './passphrase.js';
import { describe, ensurePrivateDirectory, inspectPrivateDirectory, octal } from '../files/private-directory.js';
import { VaultKeyProvider } from './key-provider.js';
import { unlockCachePath } from './unlock-cache.js';
import { addToUnlockCache, openCachedKeys, refreshUnlockCache, type UnlockCacheEvent } from './unlock-cache-use.js';

export interface LocalKeyVaultOptions {
  /** the tezsigner home; keys live in `<home>/keys` */
  readonly home: string;
  /** the vault passphrase: encrypts added keys, decrypts stored ones */
  readonly passphrase?: string | undefined;
  /** opened to read only (a dry run): a folder or key file too open is said in `warnings`, not restricted */
  readonly changeNothing?: boolean | undefined;
}

export interface AddKeyOptions {
  /** file name without `.json`; by default the key's address */
  readonly name?: string | undefined;
  /** store the secret key unencrypted (only when asked: the default is encrypted at rest) */
  readonly plain?: boolean | undefined;
}

export interface ImportKeyOptions extends AddKeyOptions {
  /**
   * passphrase of an encrypted key given to import: its own, never taken to be the vault's (a
   * wrong guess would only say "wrong passphrase" about a passphrase nobody gave)
   */
  readonly passphrase?: string | undefined;
}

/** A key of the vault as listed: public facts only, read without decrypting anything. */
export interface VaultKeyInfo extends KeyInfo {
  readonly name: string;
  readonly label: string;
  readonly encrypted: boolean;
  readonly created: string;
  /** path of its key file */
  readonly file: string;
}

export interface KeyProviderOptions {
  /**
   * open the keys the unlock cache holds now, one more now when it holds none (a wrong
   * passphrase fails there), and the others in the background; once all are open, rewrite the
   * cache when it differs from them (see keyProvider)
   */
  readonly inBackground?: boolean;
  /** told when every key is open, with how long opening them took */
  readonly onAllOpen?: (count: number, ms: number) => void;
  /** told once about each key that cannot be opened, with why */
  readonly onFailure?: (pkh: string, err: unknown) => void;
  /** told what became of the unlock cache */
  readonly onUnlockCache?: (event: UnlockCacheEvent) => void;
}

/**
 * Keys decrypted at once: as many as there are cores, since each PBKDF2 keeps one busy; it runs
 * on libuv's pool (4 threads), which this leaves room on for the file calls of requests.
 */
const OPENING_CONCURRENCY = Math.max(1, Math.min(availableParallelism(), 3));

/** Key files read at once (each holds a descriptor while it is read). */
const READ_AT_ONCE = 32;

interface StoredKey {
  readonly path: string;
  readonly file: KeyFile;
}

/**
 * The local key vault: one file per key in `<home>/keys` (0600 files in a 0700 folder), the
 * secret key encrypted with the vault passphrase as octez encrypts it (edesk/spesk/p2esk/BLesk).
 */
export class LocalKeyVault {
  readonly directory: string;
  /** what opening had to fix (open permissions), for people */
  readonly warnings: readonly string[];
  /** `<home>/unlock-cache` */
  readonly unlockCache: string;
  readonly #passphrase: string | undefined;
  #passphraseChecked = false;

  private constructor(home: string, passphrase: string | undefined, warnings: readonly string[]) {
    this.directory = join(home, 'keys');
    this.unlockCache = unlockCachePath(home);
    this.#passphrase = passphrase;
    this.warnings = warnings;
  }

  /**
   * Opens `<home>/keys`, creating it 0700, restricting it and any key file others could read
   * (each fix is reported in `warnings`). Nothing is decrypted here.
   */
  static async open(options: LocalKeyVaultOptions): Promise<LocalKeyVault> {
    if (options.passphrase === '') throw configInvalid('the vault passphrase is empty');
    const directory = join(options.home, 'keys');
    const changeNothing = options.changeNothing === true;
    const warnings = changeNothing ? await inspectPrivateDirectory(directory) : await ensurePrivateDirectory(directory);
    for (const name of await keyFileNames(directory)) {
      const path = join(directory, name);
      const mode = (await stat(path).catch((err: unknown) => failRead(path, err))).mode;
      if ((mode & 0o077) === 0) continue;
      if (changeNothing) {
        warnings.push(`the key file ${path} is accessible to others (mode ${octal(mode)}); left as it is (nothing is changed here): a command that writes restricts it to 600`);
        continue;
      }
      await chmod(path, 0o600).catch((err: unknown) => {
        throw configInvalid(`the key file ${path} is readable by others and cannot be restricted: ${describe(err)}`, err);
      });
      warnings.push(`the key file ${path} was accessible to others (mode ${octal(mode)}); restricted it to 600`);
    }
    return new LocalKeyVault(options.home, options.passphrase, warnings);
  }

  async list(): Promise<VaultKeyInfo[]> {
    return (await this.#readAll()).map(infoOf);
  }

  /** Generates a key of `curve` from the platform CSPRNG and stores it. */
  async generate(curve: Curve, options: AddKeyOptions = {}): Promise<VaultKeyInfo> {
    return this.#add(generateSecretKey(curve), options);
  }

  /**
   * Stores a secret key given as text: edsk (32 or 64 bytes)/spsk/p2sk/BLsk, or encrypted
   * edesk/spesk/p2esk/BLesk (decrypted with `options.passphrase`, which it then needs), also with
   * octez's `unencrypted:`/`encrypted:` prefix as in its secret_keys file. It is stored
   * encrypted with the vault passphrase unless `plain`.
   */
  async importKey(secretKey: string, options: ImportKeyOptions = {}): Promise<VaultKeyInfo> {
    const text = withoutOctezKeyTag(secretKey);
    if (!isEncryptedSecretKey(text)) return this.#add(decodeSecretKey(text), options);
    const passphrase = options.passphrase;
    if (passphrase === undefined) throw configInvalid('the key to import is encrypted: give its own passphrase');
    let decrypted: SecretKey;
    try {
      decrypted = await decryptSecretKeyAsync(text, passphrase);
    } catch (err) {
      if (!isTezsignerError(err, 'WRONG_PASSPHRASE')) throw err;
      throw new TezsignerError('WRONG_PASSPHRASE', 'wrong passphrase for the encrypted key to import', { cause: err });
    }
    return this.#add(decrypted, options);
  }

  /**
   * A KeyProvider over every key of the vault, each decrypted once: PBKDF2 costs tens of
   * milliseconds per key by design, far too slow to pay per request. The encrypted keys the
   * unlock cache holds (and that their key files announce) are open at once, for one PBKDF2 in
   * all. By default every key is open when this resolves, and any that cannot be fails it. With
   * `inBackground` (a signer with many keys that must answer soon after a restart) it resolves
   * once the cached keys are open, and one encrypted key from its file when none was cached (a
   * wrong passphrase fails it, as before); it opens the others in the background, each request
   * for one still closed opening it first (see VaultKeyProvider), and then rewrites the cache
   * when it differs from the keys open.
   */
  async keyProvider(options: KeyProviderOptions = {}): Promise<KeyProvider> {
    const stored = await this.#readAll();
    const passphrase = this.#passphrase;
    const encrypted = stored.filter(({ file }) => isEncrypted(file));
    if (passphrase === undefined && encrypted.length > 0) {
      throw configInvalid(`the keys in ${this.directory} are encrypted: ${PASSPHRASE_HOW_TO}`);
    }
    const tell = options.onUnlockCache ?? (() => undefined);
    const cached = await openCachedKeys(this.unlockCache, passphrase, encrypted.map(({ file }) => file), tell);
    /** the secret keys of the encrypted keys open, by address: what the cache should hold */
    const open = new Map([...cached.keys].map(([pkh, { secretKey }]) => [pkh, secretKey]));
    const provider = new VaultKeyProvider(
      stored.map(({ path, file }) => ({
        info: { pkh: file.pkh, curve: file.curve, publicKey: file.publicKey, label: file.name },
        opened: cached.keys.get(file.pkh)?.signer,
        open: async () => {
          const secretKey = await unlock(path, file, passphrase);
          if (isEncrypted(file)) open.set(file.pkh, secretKey);
          return secretKey;
        },
      })),
      { concurrency: OPENING_CONCURRENCY, ...(options.onAllOpen === undefined ? {} : { onAllOpen: options.onAllOpen }), ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }) },
    );
    if (options.inBackground !== true) {
      await provider.openAll();
      return provider;
    }
    const first = cached.keys.size > 0 ? undefined : (encrypted[0] ?? stored[0]);
    if (first !== undefined) await provider.open(first.file.pkh);
    provider.openInBackground();
    const lock = join(this.directory, '.vault');
    provider.whenSettled(() => refreshUnlockCache({ path: this.unlockCache, lock, read: cached, open, passphrase, tell }));
    return provider;
  }

  async #add(secretKey: SecretKey, options: AddKeyOptions): Promise<VaultKeyInfo> {
    if (options.name !== undefined && !isKeyName(options.name)) {
      throw configInvalid(
        `invalid key name "${options.name}": use letters, digits, '.', '_' and '-' (not first), at most 100, no .json`,
      );
    }
    const publicKeyBytes = derivePublicKey(secretKey);
    const pkh = publicKeyHash(secretKey.curve, publicKeyBytes);
    const publicKey = encodePublicKey(secretKey.curve, publicKeyBytes);
    // One writer at a time across processes, so the duplicate checks below cannot race.
    return withFileLock(join(this.directory, '.vault'), async () => {
      const stored = await this.#readAll();
      const same = stored.find(({ file }) => file.pkh === pkh);
      if (same !== undefined) throw configInvalid(`the key ${pkh} is already in the vault as "${same.file.name}" (${same.path})`);
      const names = new Set(stored.map(({ file }) => file.name));
      if (options.name !== undefined && names.has(options.name)) {
        throw configInvalid(`a key named "${options.name}" is already in the vault`);
      }
      const name = options.name ?? uniqueName(pkh, names);
      const file: KeyFile = {
        name,
        curve: secretKey.curve,
        pkh,
        publicKey,
        created: new Date().toISOString(),
        secretKey: options.plain === true ? encodeSecretKey(secretKey) : await this.#encrypt(secretKey, stored),
      };
      const path = join(this.directory, keyFileName(name));
      try {
        await createFileAtomic(path, serializeKeyFile(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw configInvalid(`the key file ${path} already exists`);
        if (lacksHardLinks(err)) {
          const type = await fileSystemType(this.directory);
          throw configInvalid(
            `cannot write the key file ${path}: the file system of ${this.directory}${type === undefined ? '' : ` (${type})`} has no hard links ` +
              `(link(2) fails: ${describe(err)}), with which a key file is created so that two imports never overwrite each other: ` +
              'put the home on a local disk (ext4, xfs, btrfs, zfs)',
            err,
          );
        }
        throw configInvalid(`cannot write the key file ${path}: ${describe(err)}`, err);
      }
      if (options.plain !== true && this.#passphrase !== undefined) await addToUnlockCache(this.unlockCache, this.#passphrase, pkh, secretKey);
      return infoOf({ path, file });
    });
  }

  /**
   * Encrypts with the vault passphrase, after checking it opens the keys already stored (once
   * per vault): a vault whose keys need two different passphrases could never start.
   */
  async #encrypt(secretKey: SecretKey, stored: readonly StoredKey[]): Promise<string> {
    const passphrase = this.#passphrase;
    if (passphrase === undefined) {
      throw configInvalid(`a passphrase is needed to store the key encrypted (or ask for a plain key): ${PASSPHRASE_HOW_TO}`);
    }
    if (!this.#passphraseChecked) {
      const encrypted = stored.find(({ file }) => isEncrypted(file));
      if (encrypted !== undefined) await unlock(encrypted.path, encrypted.file, passphrase);
      this.#passphraseChecked = true;
    }
    return encryptSecretKeyAsync(secretKey, passphrase);
  }

  async #readAll(): Promise<StoredKey[]> {
    // many at once: a vault of hundreds of keys is read in a few waits, not one per file
    const names = await keyFileNames(this.directory);
    const stored: StoredKey[] = [];
    for (let next = 0; next < names.length; next += READ_AT_ONCE) {
      const batch = names.slice(next, next + READ_AT_ONCE).map(async (name) => {
        const path = join(this.directory, name);
        return { path, file: await readKeyFile(path) };
      });
      stored.push(...(await Promise.all(batch)));
    }
    const seen = new Map<string, string>();
    for (const { path, file } of stored) {
      const other = seen.get(file.pkh);
      if (other !== undefined) throw configInvalid(`the key files ${other} and ${path} hold the same key ${file.pkh}`);
      seen.set(file.pkh, path);
    }
    return stored;
  }
}

/** The secret key of a key file, checked to be the one its public key and pkh announce. */
async function unlock(path: string, file: KeyFile, passphrase: string | undefined): Promise<SecretKey> {
  let secretKey: SecretKey;
  try {
    secretKey = isEncrypted(file)
      ? await decryptSecretKeyAsync(file.secretKey, passphrase ?? '')
      : decodeSecretKey(file.secretKey);
  } catch (err) {
    if (isTezsignerError(err, 'WRONG_PASSPHRASE')) {
      throw new TezsignerError('WRONG_PASSPHRASE', `wrong passphrase for the key file ${path}`, { cause: err });
    }
    throw configInvalid(`the key file ${path} holds an unusable secret key: ${describe(err)}`, err);
  }
  if (secretKey.curve !== file.curve || encodePublicKey(secretKey.curve, derivePublicKey(secretKey)) !== file.publicKey) {
    throw configInvalid(`the key file ${path}: its secret key does not belong to ${file.pkh}`);
  }
  return secretKey;
}

function infoOf({ path, file }: StoredKey): VaultKeyInfo {
  return {
    pkh: file.pkh,
    curve: file.curve,
    publicKey: file.publicKey,
    label: file.name,
    name: file.name,
    encrypted: isEncrypted(file),
    created: file.created,
    file: path,
  };
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(name)) return name;
  }
}

async function keyFileNames(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (err) {
    throw failRead(directory, err);
  }
  return names.filter((name) => keyNameOf(name) !== undefined).sort();
}

function failRead(path: string, err: unknown): never {
  throw configInvalid(`cannot read ${path}: ${describe(err)}`, err);
}
