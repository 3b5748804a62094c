import { TezsignerError, isEncryptedSecretKey } from '@tezsigner/core';
import { aliasListOf, isObject } from './json-fields.js';

/**
 * One entry of octez's `secret_keys` (the wallet's `secret_key` alias file: a JSON list of
 * {name, value}, value a secret key URI, src/lib_signer_backends): `unencrypted:<edsk…>` and
 * `encrypted:<edesk…>` hold the key itself; any other scheme (`remote:`, `ledger://`,
 * `http(s)://`, `tcp://`, `unix:`, …) points elsewhere and has no secret to import.
 */
export type OctezSecretKey =
  | { readonly name: string; readonly kind: 'unencrypted' | 'encrypted'; readonly secretKey: string }
  /** another signer or device holds it */
  | { readonly name: string; readonly kind: 'elsewhere'; readonly reason: string }
  /** it says it is held here, but cannot be read */
  | { readonly name: string; readonly kind: 'malformed'; readonly reason: string };

const HELD = /^(unencrypted|encrypted):(.+)$/s;

export function parseOctezSecretKeys(text: string, file: string): OctezSecretKey[] {
  return aliasListOf(text, file).map((raw: unknown, index) => {
    if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.value !== 'string') {
      throw new TezsignerError('BAD_REQUEST', `${file}, entry ${index + 1}: not a {name, value} pair of strings`);
    }
    return entryOf(raw.name, raw.value);
  });
}

function entryOf(name: string, value: string): OctezSecretKey {
  const held = HELD.exec(value);
  if (held === null) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1] ?? 'an unknown kind';
    return { name, kind: 'elsewhere', reason: `${scheme === 'remote' ? 'a remote signer' : `a ${scheme} URI`} holds it, not this file: nothing to import` };
  }
  const [, scheme, secretKey = ''] = held;
  const encrypted = isEncryptedSecretKey(secretKey);
  if (encrypted !== (scheme === 'encrypted')) {
    return { name, kind: 'malformed', reason: `its value says ${scheme} but holds ${encrypted ? 'an encrypted' : 'no encrypted'} key` };
  }
  return { name, kind: encrypted ? 'encrypted' : 'unencrypted', secretKey };
}
