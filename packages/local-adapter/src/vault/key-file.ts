import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { blake2b160, configInvalid, decodePublicKey, encodeAddress, isCurve, isEncryptedSecretKey } from '@tezsigner/core';
import type { Curve } from '@tezsigner/core';
import { describe } from '../files/private-directory.js';

/**
 * What one key file `<home>/keys/<name>.json` holds. `secretKey` is edesk/spesk/p2esk/BLesk
 * (encrypted with the vault passphrase), or edsk/spsk/p2sk/BLsk only when the key was stored
 * plain on purpose. Everything but `secretKey` is public and readable without the passphrase.
 */
export interface KeyFile {
  readonly name: string;
  readonly curve: Curve;
  readonly pkh: string;
  readonly publicKey: string;
  /** ISO 8601 time the key entered the vault */
  readonly created: string;
  readonly secretKey: string;
}

// Names become file names: no separators, no leading dot (hidden and temp files).
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isKeyName(name: string): boolean {
  return NAME.test(name) && !name.endsWith('.json');
}

export const keyFileName = (name: string) => `${name}.json`;

/** The key name of a directory entry, or undefined for anything that is not a key file. */
export function keyNameOf(fileName: string): string | undefined {
  if (!fileName.endsWith('.json')) return undefined;
  const name = fileName.slice(0, -'.json'.length);
  return isKeyName(name) ? name : undefined;
}

export function serializeKeyFile(key: KeyFile): string {
  const { name, curve, pkh, publicKey, created, secretKey } = key;
  return `${JSON.stringify({ name, curve, pkh, publicKey, created, secretKey }, null, 2)}\n`;
}

/**
 * Reads and checks a key file: well-formed, named like its file, and its public key really
 * hashing to its pkh (a file edited by hand must not sign under another address). The secret
 * key is matched against the public key once decrypted (LocalKeyVault.keyProvider).
 */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read the key file ${path}: ${describe(err)}`, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never quote the text: it holds a secret key.
    throw configInvalid(`the key file ${path} is not valid JSON`);
  }
  const problem = keyFileProblem(value, path);
  if (problem !== undefined) throw configInvalid(`the key file ${path} is malformed: ${problem}`);
  return value as KeyFile;
}

function keyFileProblem(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const file = value as Record<string, unknown>;
  for (const field of ['name', 'curve', 'pkh', 'publicKey', 'created', 'secretKey'] as const) {
    if (typeof file[field] !== 'string') return `${field} is missing or not a string`;
  }
  const { name, curve, pkh, publicKey } = file as { [field in keyof KeyFile]: string };
  if (keyFileName(name) !== basename(path)) return `its name "${name}" is not its file name`;
  if (!isCurve(curve)) return `unknown curve "${curve}"`;
  let decoded;
  try {
    decoded = decodePublicKey(publicKey);
  } catch (err) {
    return `publicKey: ${describe(err)}`;
  }
  if (decoded.curve !== curve) return `publicKey is a ${decoded.curve} key, not ${curve}`;
  // decodePublicKey checked the point: hashed without decoding it again (hundreds of key files at each start)
  if (encodeAddress(curve, blake2b160(decoded.bytes)) !== pkh) return `publicKey does not hash to pkh ${pkh}`;
  return undefined;
}

export const isEncrypted = (key: KeyFile) => isEncryptedSecretKey(key.secretKey);
