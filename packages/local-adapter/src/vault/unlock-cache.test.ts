import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blake2b256, decodeSecretKey, decryptSecretKeyAsync, encodeSignature, encryptSecretKeyAsync } from '@tezsigner/core';
import type { KeyProvider, SecretKey } from '@tezsigner/core';
import { keyVectors } from '../../../../test-support/vectors.js';
import type { VaultKeyProvider } from './key-provider.js';
import { LocalKeyVault } from './key-vault.js';
import type { UnlockCacheEvent } from './unlock-cache-use.js';
import { cachedSignerFor, readUnlockCache, removeUnlockCache, unlockCachePath, writeUnlockCache } from './unlock-cache.js';

const PASS = 'vault passphrase for tests';
let home: string;
let path: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-unlock-cache-'));
  path = unlockCachePath(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const vectors = keyVectors().filter((k) => k.curve !== 'bls12_381');
const [a, b] = vectors as [(typeof vectors)[number], (typeof vectors)[number]];
const byPkh = (...keys: Array<{ public_key_hash: string; secret_key: string }>) =>
  new Map<string, SecretKey>(keys.map((k) => [k.public_key_hash, decodeSecretKey(k.secret_key)]));
const fileOf = (k: (typeof vectors)[number]) => ({ pkh: k.public_key_hash, curve: k.curve, publicKey: k.public_key });

describe('the unlock cache file', () => {
  it('opens what it sealed, 0600, holding no secret key in the clear, a fresh salt each time', async () => {
    expect(await readUnlockCache(path, PASS)).toEqual({ state: 'absent' });
    await writeUnlockCache(path, byPkh(a, b), PASS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const first = await readFile(path, 'utf8');
    for (const k of [a, b]) expect(first).not.toContain(k.secret_key);
    const read = await readUnlockCache(path, PASS);
    if (read.state !== 'open') throw new Error(`not open: ${JSON.stringify(read)}`);
    expect([...read.keys.keys()].sort()).toEqual([a.public_key_hash, b.public_key_hash].sort());
    expect(await (await cachedSignerFor(read.keys, fileOf(a)))?.getKey(a.public_key_hash)).toMatchObject({ publicKey: a.public_key });
    await writeUnlockCache(path, byPkh(a, b), PASS);
    expect(await readFile(path, 'utf8')).not.toBe(first);
  });

  it('gives no secret for a key file it holds another key for, or none for', async () => {
    // the entry under a's address holds b's secret: a file announcing a must not get it
    await writeUnlockCache(path, new Map([[a.public_key_hash, decodeSecretKey(b.secret_key)]]), PASS);
    const read = await readUnlockCache(path, PASS);
    if (read.state !== 'open') throw new Error('not open');
    expect(await cachedSignerFor(read.keys, fileOf(a))).toBeUndefined();
    expect(await cachedSignerFor(read.keys, fileOf(b))).toBeUndefined();
    const sameCurveOther = vectors.find((k) => k.curve === b.curve && k.public_key_hash !== b.public_key_hash);
    // a file claiming a's address with another public key of a's curve gets nothing either
    if (sameCurveOther !== undefined) expect(await cachedSignerFor(read.keys, { ...fileOf(sameCurveOther), pkh: a.public_key_hash })).toBeUndefined();
  });

  it('is ignored, never used, under another passphrase or damaged', async () => {
    await writeUnlockCache(path, byPkh(a), PASS);
    expect(await readUnlockCache(path, `${PASS}!`)).toMatchObject({ state: 'ignored', reason: expect.stringMatching(/does not open/) });
    const file = JSON.parse(await readFile(path, 'utf8')) as { sealed: string };
    const bytes = Buffer.from(file.sealed, 'base64');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    await writeFile(path, JSON.stringify({ ...file, sealed: bytes.toString('base64') }), { mode: 0o600 });
    expect(await readUnlockCache(path, PASS)).toMatchObject({ state: 'ignored', reason: expect.stringMatching(/does not open/) });
    for (const text of ['not json', '{"format":"tezsigner unlock cache","version":2,"sealed":""}', '{"format":"tezsigner unlock cache","version":1,"sealed":"%%"}']) {
      await writeFile(path, text);
      expect(await readUnlockCache(path, PASS)).toMatchObject({ state: 'ignored', reason: expect.stringMatching(/damaged/) });
    }
  });

  it('is ignored when others can read it', async () => {
    await writeUnlockCache(path, byPkh(a), PASS);
    await chmod(path, 0o640);
    expect(await readUnlockCache(path, PASS)).toMatchObject({ state: 'ignored', reason: expect.stringMatching(/accessible to others \(mode 640\)/) });
  });

  it('refuses a symbolic link or a folder: not read, not replaced, not removed', async () => {
    const elsewhere = join(home, 'elsewhere');
    await writeUnlockCache(elsewhere, byPkh(a), PASS);
    await symlink(elsewhere, path);
    expect(await readUnlockCache(path, PASS)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/symbolic link/) });
    await expect(writeUnlockCache(path, byPkh(b), PASS)).rejects.toThrow(/symbolic link, not a regular file/);
    await expect(removeUnlockCache(path)).rejects.toThrow(/symbolic link/);
    expect((await readUnlockCache(elsewhere, PASS)).state).toBe('open');
    await unlink(path);
    await mkdir(path);
    expect(await readUnlockCache(path, PASS)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/folder/) });
  });
});

/** The vault's unlock cache as serve uses it: each start's events, until the cache is rewritten or found current. */
async function start(vault: LocalKeyVault): Promise<{ provider: KeyProvider; events: UnlockCacheEvent[]; background: number }> {
  const events: UnlockCacheEvent[] = [];
  let background = 0;
  let refreshed: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (refreshed = resolve));
  const provider = await vault.keyProvider({
    inBackground: true,
    onAllOpen: (count) => (background = count),
    onUnlockCache: (event) => {
      events.push(event);
      if (['current', 'written', 'removed', 'not-written'].includes(event.kind)) refreshed();
    },
  });
  await done;
  return { provider, events, background };
}

const kinds = (events: readonly UnlockCacheEvent[]) => events.map((event) => event.kind);

async function signsAs(provider: KeyProvider, pkh: string, publicKey: string): Promise<boolean> {
  const bytes = Uint8Array.of(0x03, 1, 2, 3);
  const signature = await provider.sign(pkh, { bytes, digest: blake2b256(bytes) });
  return verifySignature(Buffer.from(bytes).toString('hex'), publicKey, encodeSignature((await provider.getKey(pkh))!.curve, signature));
}

describe("the vault's unlock cache", () => {
  it('is written once every key is open, then opens them all at the next start and stays as it is', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const keys = [await vault.generate('ed25519'), await vault.generate('secp256k1'), await vault.generate('p256')];
    const cold = await start(vault);
    expect(kinds(cold.events)).toEqual(['written']);
    expect(cold.events[0]).toMatchObject({ keys: 3 });
    const warm = await start(await LocalKeyVault.open({ home, passphrase: PASS }));
    expect(kinds(warm.events)).toEqual(['used', 'current']);
    expect(warm.events[0]).toMatchObject({ keys: 3, of: 3, mismatched: 0 });
    expect(warm.background).toBe(0);
    for (const key of keys) expect(await signsAs(warm.provider, key.pkh, key.publicKey)).toBe(true);
    await expect((warm.provider as VaultKeyProvider).probe()).resolves.toBeUndefined();
  });

  it('drops the key of a removed file, and does not serve a key whose file now holds another key', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const [gone, replaced, kept] = [await vault.generate('ed25519', { name: 'gone' }), await vault.generate('ed25519', { name: 'r' }), await vault.generate('ed25519')];
    await start(vault);
    await unlink(gone.file);
    // another key under the same name: the cache's entry is for the old address
    await unlink(replaced.file);
    const other = await vault.generate('ed25519', { name: 'r' });
    const next = await start(await LocalKeyVault.open({ home, passphrase: PASS }));
    expect(kinds(next.events)).toEqual(['used', 'written']);
    expect(next.events[0]).toMatchObject({ keys: 2, of: 2 });
    expect(next.events[1]).toMatchObject({ keys: 2 });
    expect((await next.provider.listKeys()).map((key) => key.pkh).sort()).toEqual([kept.pkh, other.pkh].sort());
    expect(await next.provider.getKey(replaced.pkh)).toBeUndefined();
    expect(await signsAs(next.provider, other.pkh, other.publicKey)).toBe(true);
    const read = await readUnlockCache(vault.unlockCache, PASS);
    expect(read.state === 'open' && [...read.keys.keys()].sort()).toEqual([kept.pkh, other.pkh].sort());
  });

  it('opens from its file a key whose cache entry holds another secret, signs as the file says, and rewrites the cache', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const key = await vault.importKey(a.secret_key);
    // another key of the same curve: only the public key derived from it tells them apart
    const sameCurve = vectors.find((k) => k.curve === a.curve && k.public_key_hash !== a.public_key_hash);
    if (sameCurve === undefined) throw new Error('no second key of the curve');
    await writeUnlockCache(vault.unlockCache, new Map([[a.public_key_hash, decodeSecretKey(sameCurve.secret_key)]]), PASS);
    const next = await start(await LocalKeyVault.open({ home, passphrase: PASS }));
    expect(kinds(next.events)).toEqual(['used', 'written']);
    expect(next.events[0]).toMatchObject({ keys: 0, of: 1, mismatched: 1 });
    expect(await signsAs(next.provider, key.pkh, a.public_key)).toBe(true);
    expect(kinds((await start(await LocalKeyVault.open({ home, passphrase: PASS }))).events)).toEqual(['used', 'current']);
  });

  it('is ignored and rewritten once the passphrase changed, and rebuilt when damaged', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const keys = [await vault.generate('ed25519'), await vault.generate('p256')];
    await start(vault);
    // the passphrase changes: every key file re-encrypted under the new one
    const NEW = 'another passphrase';
    for (const key of keys) {
      const file = JSON.parse(await readFile(key.file, 'utf8')) as { secretKey: string };
      file.secretKey = await encryptSecretKeyAsync(await decryptSecretKeyAsync(file.secretKey, PASS), NEW);
      await writeFile(key.file, JSON.stringify(file), { mode: 0o600 });
    }
    const changed = await start(await LocalKeyVault.open({ home, passphrase: NEW }));
    expect(kinds(changed.events)).toEqual(['ignored', 'written']);
    expect(changed.background).toBe(2);
    expect(kinds((await start(await LocalKeyVault.open({ home, passphrase: NEW }))).events)).toEqual(['used', 'current']);
    await writeFile(vault.unlockCache, 'damaged');
    expect(kinds((await start(await LocalKeyVault.open({ home, passphrase: NEW }))).events)).toEqual(['ignored', 'written']);
  });

  it('takes a key added to the vault at once, never a plain one, and is removed once no encrypted key is left', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    const first = await vault.generate('ed25519');
    await start(vault);
    const added = await vault.generate('secp256k1');
    await vault.importKey(b.secret_key, { plain: true });
    const next = await start(await LocalKeyVault.open({ home, passphrase: PASS }));
    expect(kinds(next.events)).toEqual(['used', 'current']);
    expect(next.events[0]).toMatchObject({ keys: 2, of: 2 });
    expect(await signsAs(next.provider, added.pkh, added.publicKey)).toBe(true);
    for (const key of [first, added]) await unlink(key.file);
    expect(kinds((await start(await LocalKeyVault.open({ home, passphrase: PASS }))).events)).toEqual(['removed']);
    await expect(stat(vault.unlockCache)).rejects.toThrow(/ENOENT/);
  });

  it('a signer closed right after its start has finished writing it: nothing in the home changes after close', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    await vault.generate('ed25519');
    await vault.generate('p256');
    const events: UnlockCacheEvent[] = [];
    const provider = await vault.keyProvider({ inBackground: true, onUnlockCache: (event) => events.push(event) });
    await (provider as VaultKeyProvider).settled();
    await provider.close?.();
    expect(kinds(events)).toEqual(['written']);
    const after = await readdir(home, { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await readdir(home, { recursive: true })).toEqual(after);
    expect((await readUnlockCache(vault.unlockCache, PASS)).state).toBe('open');
  });

  it('a symbolic link in its place is refused: the keys open from their files and the link stays', async () => {
    const vault = await LocalKeyVault.open({ home, passphrase: PASS });
    await vault.generate('ed25519');
    await symlink(join(home, 'nowhere'), vault.unlockCache);
    const events: UnlockCacheEvent[] = [];
    const provider = await vault.keyProvider({ inBackground: true, onUnlockCache: (event) => events.push(event) });
    await (provider as VaultKeyProvider).openAll();
    expect(kinds(events)).toEqual(['refused']);
    await (provider as VaultKeyProvider).settled();
    expect((await lstat(vault.unlockCache)).isSymbolicLink()).toBe(true);
  });
});
