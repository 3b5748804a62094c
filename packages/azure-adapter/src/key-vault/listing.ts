import type { KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import { TezsignerError } from '@tezsigner/core';
import { describeVaultError } from './error.js';
import { toVaultKey, type VaultKey } from './key.js';

/** A key chosen by name in the configuration (its current version unless one is given). */
export interface PinnedKey {
  readonly name: string;
  readonly version?: string | undefined;
}

export interface SkippedKey {
  readonly name: string;
  readonly version?: string;
  readonly reason: string;
}

export interface VaultListing {
  readonly usable: readonly VaultKey[];
  readonly skipped: readonly SkippedKey[];
}

/** Vault GETs in flight at once while listing: enough to be quick, few enough not to be throttled. */
const PARALLEL_GETS = 8;

/**
 * The current version of every key in the vault, sorted into the ones tezsigner can sign with
 * and the ones it skips (with why). The list answer has no key material, so each enabled key
 * costs one GET; disabled keys cost nothing.
 */
export async function listVault(client: KeyClient, signal?: AbortSignal): Promise<VaultListing> {
  const usable: VaultKey[] = [];
  const skipped: SkippedKey[] = [];
  const names: string[] = [];
  for await (const properties of client.listPropertiesOfKeys({ abortSignal: signal })) {
    if (properties.enabled === false) skipped.push({ name: properties.name, reason: 'disabled' });
    else names.push(properties.name);
  }
  type Fetched = { readonly name: string; readonly key: KeyVaultKey } | { readonly name: string; readonly reason: string };
  const fetched = await mapLimited(names, PARALLEL_GETS, async (name): Promise<Fetched> => {
    try {
      return { name, key: await client.getKey(name, { abortSignal: signal }) };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // Gone since the list, or hidden from this identity: not a reason to fail the others.
      if (status === 404 || status === 403) return { name, reason: `cannot read it (${describeVaultError(err)})` };
      throw err;
    }
  });
  for (const entry of fetched) {
    if ('reason' in entry) {
      skipped.push({ name: entry.name, reason: entry.reason });
      continue;
    }
    const verdict = toVaultKey(entry.key);
    if ('usable' in verdict) usable.push(verdict.usable);
    else skipped.push({ name: entry.name, ...versionOf(entry.key), reason: verdict.skipped });
  }
  const distinct = withoutDuplicates(usable);
  return { usable: distinct.usable, skipped: [...skipped, ...distinct.skipped] };
}

/**
 * One vault key per address: a second key holding the same secret (the same key imported twice)
 * would be a second way to sign for one baker. The first one listed is kept, the others skipped.
 */
export function withoutDuplicates(keys: readonly VaultKey[]): VaultListing {
  const first = new Map<string, VaultKey>();
  const skipped: SkippedKey[] = [];
  for (const key of keys) {
    const same = first.get(key.pkh);
    if (same === undefined) first.set(key.pkh, key);
    else skipped.push({ name: key.name, version: key.version, reason: `same key as ${same.name}/${same.version} (${key.pkh}), which is used` });
  }
  return { usable: [...first.values()], skipped };
}

/**
 * Exactly the pinned keys. A pinned key that is missing or cannot sign is a configuration
 * error (CONFIG_INVALID), not a key to skip quietly: the operator named it.
 */
export async function loadPinned(client: KeyClient, pinned: readonly PinnedKey[], signal?: AbortSignal): Promise<VaultListing> {
  const usable: VaultKey[] = [];
  for (const pin of pinned) {
    const label = pin.version === undefined ? pin.name : `${pin.name}/${pin.version}`;
    let key: KeyVaultKey;
    try {
      key = await client.getKey(pin.name, { abortSignal: signal, ...(pin.version === undefined ? {} : { version: pin.version }) });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new TezsignerError('CONFIG_INVALID', `pinned key ${label} is not in the vault`);
      }
      throw err;
    }
    const verdict = toVaultKey(key);
    if ('skipped' in verdict) throw new TezsignerError('CONFIG_INVALID', `pinned key ${label} cannot sign for Tezos: ${verdict.skipped}`);
    usable.push(verdict.usable);
  }
  return withoutDuplicates(usable);
}

function versionOf(key: KeyVaultKey): { version?: string } {
  return key.properties.version === undefined ? {} : { version: key.properties.version };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
