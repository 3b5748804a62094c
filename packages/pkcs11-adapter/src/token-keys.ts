import { bytesToHex, encodePublicKey, publicKeyHash, quoted, type KeyInfo } from '@tezsigner/core';
import { describePkcs11Error } from './pkcs11-failure.js';
import { tezosPublicKey } from './ec-point.js';
import { CKM_EDDSA, curveOfParams, type TokenCurve } from './mechanisms.js';
import { attributes, call, findObjects, type TemplateAttribute } from './token-calls.js';
import type { TokenSession } from './token-sessions.js';

/** A private key on the token that Tezos can use, with what finds it again in any session. */
export interface TokenKey {
  readonly info: KeyInfo;
  readonly curve: TokenCurve;
  readonly publicKey: Uint8Array;
  /** CKA_ID (may be empty) and CKA_LABEL: how the private key object is found in a session */
  readonly id: Uint8Array;
  readonly label: string;
}

/** A private key object as read from the token, with the points of the public key objects that pair with it. */
export interface TokenObject {
  readonly id: Uint8Array;
  readonly label: string;
  /** CKA_EC_PARAMS, absent for a key that is not an elliptic-curve one */
  readonly params: Uint8Array | undefined;
  /** CKA_EC_POINT of each public key object with the same CKA_ID (without an ID: the same label) */
  readonly points: readonly (Uint8Array | undefined)[];
}

export interface SkippedKey {
  /** the key as a person finds it on the token: its label (escaped), else its CKA_ID */
  readonly name: string;
  readonly reason: string;
}

export interface TokenListing {
  /** private key objects on the token */
  readonly found: number;
  readonly keys: readonly TokenKey[];
  /** keys left out, and why */
  readonly skipped: readonly SkippedKey[];
}

/** The token's private keys, judged: those tezsigner signs with, and the others with the reason. */
export async function listTokenKeys(token: TokenSession): Promise<TokenListing> {
  const mechanisms = await call<number[]>(token, 'C_GetMechanismList', token.slot);
  return selectKeys(await readTokenObjects(token), mechanisms.includes(CKM_EDDSA));
}

async function readTokenObjects(token: TokenSession): Promise<TokenObject[]> {
  const { pkcs11 } = token;
  const objects: TokenObject[] = [];
  const points = new Map<string, (Uint8Array | undefined)[]>();
  for (const handle of await findObjects(token, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }])) {
    const [id, label, params] = await attributes(token, handle, [pkcs11.CKA_ID, pkcs11.CKA_LABEL, pkcs11.CKA_EC_PARAMS]);
    const object = { id: id ?? new Uint8Array(), label: new TextDecoder().decode(label ?? new Uint8Array()), params };
    const reference = referenceOf(object);
    let found = points.get(reference);
    if (found === undefined) {
      found = [];
      for (const publicKey of await findObjects(token, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PUBLIC_KEY }, keyReference(token, object)])) {
        found.push((await attributes(token, publicKey, [pkcs11.CKA_EC_POINT]))[0]);
      }
      points.set(reference, found);
    }
    objects.push({ ...object, points: found });
  }
  return objects;
}

/**
 * Which objects are keys tezsigner signs with. Left out, each with its reason: keys of other
 * curves, Ed25519 keys where the module has no CKM_EDDSA, keys without exactly one public key
 * object, and ambiguous ones: private keys sharing one CKA_ID (which one signs would be a
 * guess) and one key under several IDs (the same address twice); those are all left out,
 * never one picked, so no request for them ever reaches the module.
 */
export function selectKeys(objects: readonly TokenObject[], eddsa: boolean): TokenListing {
  const skipped: SkippedKey[] = [];
  const shared = new Map<string, number>();
  for (const object of objects) shared.set(referenceOf(object), (shared.get(referenceOf(object)) ?? 0) + 1);
  const candidates: TokenKey[] = [];
  for (const object of objects) {
    const name = nameOf(object);
    const skip = (reason: string): void => void skipped.push({ name, reason });
    const sharing = shared.get(referenceOf(object)) ?? 0;
    if (sharing > 1) {
      skip(`${sharing} private keys share its ${object.id.length > 0 ? `CKA_ID ${bytesToHex(object.id)}` : 'label (and have no CKA_ID)'}: which one signs would be a guess; give each its own CKA_ID`);
      continue;
    }
    const curve = object.params === undefined ? undefined : curveOfParams(object.params);
    if (curve === undefined) {
      skip('not an Ed25519, secp256k1 or P-256 key');
      continue;
    }
    if (curve === 'ed25519' && !eddsa) {
      skip('an Ed25519 key, and this module has no CKM_EDDSA');
      continue;
    }
    if (object.points.length !== 1) {
      skip(`${object.points.length === 0 ? 'no' : 'more than one'} public key object with its ${object.id.length > 0 ? 'CKA_ID' : 'label'}`);
      continue;
    }
    let publicKey: Uint8Array;
    try {
      publicKey = tezosPublicKey(curve, object.points[0] ?? new Uint8Array());
    } catch (err) {
      skip(`its public key does not read as a ${curve} point (${describePkcs11Error(err)})`);
      continue;
    }
    const pkh = publicKeyHash(curve, publicKey);
    const info: KeyInfo = { pkh, curve, publicKey: encodePublicKey(curve, publicKey), label: object.label === '' ? `id:${bytesToHex(object.id)}` : object.label };
    candidates.push({ info, curve, publicKey, id: object.id, label: object.label });
  }
  const byAddress = new Map<string, TokenKey[]>();
  for (const key of candidates) byAddress.set(key.info.pkh, [...(byAddress.get(key.info.pkh) ?? []), key]);
  const keys: TokenKey[] = [];
  for (const [pkh, same] of byAddress) {
    if (same.length === 1) {
      keys.push(same[0] as TokenKey);
      continue;
    }
    const ids = same
      .map((key) => (key.id.length > 0 ? bytesToHex(key.id) : 'none'))
      .sort()
      .join(', ');
    for (const key of same) skipped.push({ name: nameOf(key), reason: `the same key ${pkh} is on the token ${same.length} times (CKA_IDs ${ids}): keep one` });
  }
  return { found: objects.length, keys, skipped };
}

/** The template that finds the private key `key` again: its CKA_ID, else its label. */
export function keyReference(token: Pick<TokenSession, 'pkcs11'>, key: Pick<TokenKey, 'id' | 'label'>): TemplateAttribute {
  return key.id.length > 0 ? { type: token.pkcs11.CKA_ID, value: key.id } : { type: token.pkcs11.CKA_LABEL, value: key.label };
}

function referenceOf(object: Pick<TokenObject, 'id' | 'label'>): string {
  return object.id.length > 0 ? `id:${bytesToHex(object.id)}` : `label:${object.label}`;
}

function nameOf(object: Pick<TokenObject, 'id' | 'label'>): string {
  return object.label === '' ? `id ${bytesToHex(object.id)}` : quoted(object.label);
}
