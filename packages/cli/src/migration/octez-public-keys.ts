import { decodePublicKey, publicKeyHash } from '@tezsigner/core';
import type { Curve } from '@tezsigner/core';
import { aliasListOf, isObject } from './json-fields.js';

export interface PublicKey {
  readonly curve: Curve;
  readonly bytes: Uint8Array;
}

/**
 * The public keys of octez's `public_keys` alias file (src/lib_client_base/client_keys.ml,
 * Public_key: a list of {name, value}, the value a locator URI, or {locator, key} with the key
 * in b58): by address. An entry with no key in it (`remote:tz1…`, `ledger://…` without `key`),
 * or one that cannot be read, adds nothing: these keys only check the signatures octez stored,
 * and a signature that cannot be checked is not kept.
 */
export function parseOctezPublicKeys(text: string, file: string): Map<string, PublicKey> {
  const keys = new Map<string, PublicKey>();
  for (const entry of aliasListOf(text, file)) {
    const value: unknown = isObject(entry) ? entry.value : undefined;
    const b58 = isObject(value) ? value.key : typeof value === 'string' ? /^unencrypted:(.+)$/.exec(value)?.[1] : undefined;
    if (typeof b58 !== 'string') continue;
    try {
      const key = decodePublicKey(b58);
      keys.set(publicKeyHash(key.curve, key.bytes), key);
    } catch {
      // not a public key: nothing to check with
    }
  }
  return keys;
}
