import { encodePublicKey, publicKeyHash, type KeyInfo } from '@tezsigner/core';
import { describePkcs11Error } from './pkcs11-failure.js';
import type { Handle } from './pkcs11js-loader.js';
import { tezosPublicKey } from './ec-point.js';
import { CKM_EDDSA, curveOfParams, type TokenCurve } from './mechanisms.js';
import type { TokenSession } from './token-sessions.js';

/** A private key on the token that Tezos can use, with what finds it again after a reset. */
export interface TokenKey {
  readonly info: KeyInfo;
  readonly curve: TokenCurve;
  readonly publicKey: Uint8Array;
  /** CKA_ID (may be empty) and CKA_LABEL: how the private key object is found in a session */
  readonly id: Buffer;
  readonly label: string;
}

export interface TokenListing {
  readonly keys: readonly TokenKey[];
  /** keys left out, and why (for the log) */
  readonly skipped: readonly string[];
}

/**
 * The token's Ed25519, secp256k1 and P-256 private keys, each with its address, read from the
 * public key object of the same CKA_ID (or, without an ID, the same label). Ed25519 keys are
 * left out where the module has no CKM_EDDSA.
 */
export function listTokenKeys(token: TokenSession): TokenListing {
  const { module, pkcs11 } = token;
  const eddsa = module.C_GetMechanismList(token.slot).includes(CKM_EDDSA);
  const keys: TokenKey[] = [];
  const skipped: string[] = [];
  for (const handle of findObjects(token, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }])) {
    const id = attribute(token, handle, pkcs11.CKA_ID) ?? Buffer.alloc(0);
    const label = attribute(token, handle, pkcs11.CKA_LABEL)?.toString('utf8') ?? '';
    const name = label === '' ? `id ${id.toString('hex')}` : JSON.stringify(label);
    const params = attribute(token, handle, pkcs11.CKA_EC_PARAMS);
    const curve = params === undefined ? undefined : curveOfParams(params);
    if (curve === undefined) {
      skipped.push(`${name}: not an Ed25519, secp256k1 or P-256 key`);
      continue;
    }
    if (curve === 'ed25519' && !eddsa) {
      skipped.push(`${name}: an Ed25519 key, and this module has no CKM_EDDSA`);
      continue;
    }
    const publicKeys = findObjects(token, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PUBLIC_KEY }, keyReference(token, id, label)]);
    if (publicKeys.length !== 1) {
      skipped.push(`${name}: ${publicKeys.length === 0 ? 'no' : 'more than one'} public key object with its ${id.length > 0 ? 'CKA_ID' : 'label'}`);
      continue;
    }
    let publicKey: Uint8Array;
    try {
      publicKey = tezosPublicKey(curve, attribute(token, publicKeys[0] as Handle, pkcs11.CKA_EC_POINT) ?? new Uint8Array());
    } catch (err) {
      skipped.push(`${name}: its public key does not read as a ${curve} point (${describePkcs11Error(err)})`);
      continue;
    }
    const info: KeyInfo = { pkh: publicKeyHash(curve, publicKey), curve, publicKey: encodePublicKey(curve, publicKey), label: label === '' ? `id:${id.toString('hex')}` : label };
    keys.push({ info, curve, publicKey, id, label });
  }
  return { keys, skipped };
}

/** The private key object of `key` in this session's generation of the module. */
export function findPrivateKey(token: TokenSession, key: Pick<TokenKey, 'id' | 'label'>): Handle {
  const { pkcs11 } = token;
  const found = findObjects(token, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }, keyReference(token, key.id, key.label)]);
  if (found.length !== 1) throw new Error(`${found.length === 0 ? 'no' : 'more than one'} private key object ${key.label} on the token (CKR_KEY_HANDLE_INVALID)`);
  return found[0] as Handle;
}

function keyReference(token: TokenSession, id: Buffer, label: string): { type: number; value: Buffer | string } {
  return id.length > 0 ? { type: token.pkcs11.CKA_ID, value: id } : { type: token.pkcs11.CKA_LABEL, value: label };
}

export function findObjects(token: TokenSession, template: { type: number; value: Buffer | string | number | boolean }[]): Handle[] {
  const { module, session } = token;
  module.C_FindObjectsInit(session, template);
  try {
    const found: Handle[] = [];
    for (;;) {
      const batch = module.C_FindObjects(session, 64);
      if (batch.length === 0) return found;
      found.push(...batch);
    }
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

/** One attribute's value, or undefined where the object has none. */
export function attribute(token: TokenSession, handle: Handle, type: number): Buffer | undefined {
  try {
    const [value] = token.module.C_GetAttributeValue(token.session, handle, [{ type }]);
    return value?.value as Buffer | undefined;
  } catch (err) {
    if (/CKR_ATTRIBUTE_TYPE_INVALID|CKR_ATTRIBUTE_SENSITIVE/.test(describePkcs11Error(err))) return undefined;
    throw err;
  }
}
