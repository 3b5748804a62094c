import type { KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  TezsignerError,
  backendUnavailable,
  badRequest,
  decodeSecretKey,
  decryptSecretKey,
  isEncryptedSecretKey,
  withoutOctezKeyTag,
  isTezsignerError,
  notSupported,
  type EcdsaCurve,
  type SecretKey,
} from '@tezsigner/core';
import { createKeyClient, type VaultConnection } from './connection.js';
import { VAULT_CURVES } from './curves.js';
import { classifyVaultError, describeVaultError } from './error.js';
import { SOFTWARE_PROTECTED, toVaultKey, type VaultKey } from './key.js';
import { listVault } from './listing.js';
import { RetryGaveUp, retryWithinDeadline, type RetryVerdict } from '../retry.js';

/** A vault key as `tezsigner azure keys list` shows it. */
export interface VaultKeyListing {
  readonly name: string;
  readonly version?: string | undefined;
  /** whether tezsigner signs with it; if not, `reason` says why */
  readonly usable: boolean;
  readonly reason?: string | undefined;
  /** what to know about a usable key (software-protected) */
  readonly warning?: string | undefined;
  readonly curve?: EcdsaCurve | undefined;
  readonly publicKey?: string | undefined;
  readonly pkh?: string | undefined;
}

/** Every key of the vault (current versions), usable or not, sorted by name. */
export async function listVaultKeys(connection: VaultConnection): Promise<VaultKeyListing[]> {
  const client = createKeyClient(connection);
  const listing = await call(connection, 'list the keys of', 'repeatable', (signal) => listVault(client, signal));
  const rows: VaultKeyListing[] = [
    ...listing.usable.map(usableRow),
    ...listing.skipped.map((skip) => ({ name: skip.name, version: skip.version, usable: false, reason: skip.reason })),
  ];
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A new key generated inside the vault's HSM (EC-HSM: a Premium vault or a Managed HSM), not
 * exportable, allowed to sign and verify only. A name already in use is refused.
 */
export async function createVaultKey(connection: VaultConnection, curve: EcdsaCurve, name: string): Promise<VaultKeyListing> {
  checkCurve(curve);
  checkKeyName(name);
  const client = createKeyClient(connection);
  await refuseTakenName(connection, client, name);
  const key = await call(connection, `create key ${name} in`, 'once', (signal) =>
    client.createEcKey(name, { curve: VAULT_CURVES[curve].jwk, hsm: true, exportable: false, keyOps: ['sign', 'verify'], abortSignal: signal }),
  );
  return describeKey(key);
}

/**
 * Moves an existing tz2/tz3 secret key (spsk/p2sk, or spesk/p2esk with its passphrase, with or
 * without octez-client's unencrypted:/encrypted: tag) into the
 * vault as an HSM-protected, non-exportable key. The key is never logged; afterwards the
 * caller should destroy its own copy.
 */
export async function importVaultKey(
  connection: VaultConnection,
  secretKey: string,
  name: string,
  options: { readonly passphrase?: string | undefined } = {},
): Promise<VaultKeyListing> {
  checkKeyName(name);
  const sk = readSecretKey(secretKey, options.passphrase);
  if (sk.curve !== 'secp256k1' && sk.curve !== 'p256') {
    throw notSupported(`Key Vault holds secp256k1 (tz2) and P-256 (tz3) keys only, not ${sk.curve}`);
  }
  const curve: EcdsaCurve = sk.curve;
  const point = (curve === 'secp256k1' ? secp256k1 : p256).getPublicKey(sk.bytes, false);
  const client: KeyClient = createKeyClient(connection);
  await refuseTakenName(connection, client, name);
  const key = await call(connection, `import key ${name} into`, 'once', (signal) =>
    client.importKey(
      name,
      { kty: 'EC', crv: VAULT_CURVES[curve].jwk, d: sk.bytes, x: point.slice(1, 33), y: point.slice(33, 65), keyOps: ['sign', 'verify'] },
      { hardwareProtected: true, exportable: false, abortSignal: signal },
    ),
  );
  return describeKey(key);
}

/**
 * Key Vault turns a create or import under a taken name into a new version of that key, which
 * silently becomes the current one: the signer would then sign for a new tz address and stop
 * signing for the baker's registered one. So a taken name is refused, never reused.
 */
async function refuseTakenName(connection: VaultConnection, client: KeyClient, name: string): Promise<void> {
  let existing: KeyVaultKey;
  try {
    existing = await call(connection, `look up key ${name} in`, 'repeatable', (signal) => client.getKey(name, { abortSignal: signal }));
  } catch (err) {
    if (isTezsignerError(err) && (err.cause as { statusCode?: number } | undefined)?.statusCode === 404) return;
    throw err;
  }
  const listing = describeKey(existing);
  const holder = listing.pkh === undefined ? '' : ` (${listing.pkh})`;
  throw new TezsignerError(
    'CONFIG_INVALID',
    `the vault already has a key named ${name}${holder}: another under that name would become its current version, a new address; choose another name`,
  );
}

function readSecretKey(text: string, passphrase: string | undefined): SecretKey {
  const trimmed = withoutOctezKeyTag(text);
  if (!isEncryptedSecretKey(trimmed)) return decodeSecretKey(trimmed);
  if (passphrase === undefined) throw new TezsignerError('WRONG_PASSPHRASE', 'this secret key is encrypted: a passphrase is needed');
  return decryptSecretKey(trimmed, passphrase);
}

function describeKey(key: KeyVaultKey): VaultKeyListing {
  const verdict = toVaultKey(key);
  const version = key.properties.version;
  if ('skipped' in verdict) return { name: key.name, version, usable: false, reason: verdict.skipped };
  return usableRow(verdict.usable);
}

function usableRow(key: VaultKey): VaultKeyListing {
  const { name, version, curve, publicKey, pkh } = key;
  return { name, version, usable: true, curve, publicKey, pkh, ...(key.hardwareProtected ? {} : { warning: SOFTWARE_PROTECTED }) };
}

function checkCurve(curve: string): asserts curve is EcdsaCurve {
  if (curve !== 'secp256k1' && curve !== 'p256') throw notSupported(`Key Vault keys for Tezos are secp256k1 (tz2) or p256 (tz3), not ${curve}`);
}

/** Key Vault's rule for object names, checked here so a typo fails before any request. */
function checkKeyName(name: string): void {
  if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) {
    throw badRequest(`a Key Vault key name is 1 to 127 letters, digits and dashes, got ${JSON.stringify(name)}`);
  }
}

/**
 * One admin call with the SDK's errors turned into TezsignerErrors, retried for up to 30 s.
 * A create or import is repeated only after a 429, which the service sends before doing
 * anything: after a timeout or a 5xx it may have made the key, and a repeat would add a
 * second version that silently becomes the current one.
 */
async function call<T>(connection: VaultConnection, what: string, kind: 'repeatable' | 'once', fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const classify = (err: unknown): RetryVerdict =>
    kind === 'once' && (err as { statusCode?: number }).statusCode !== 429 ? { retry: false } : classifyVaultError(err);
  try {
    return await retryWithinDeadline(fn, classify, { deadlineMs: 30_000, attemptTimeoutMs: kind === 'once' ? 30_000 : 15_000, baseDelayMs: 200, maxDelayMs: 5000 });
  } catch (err) {
    const cause = err instanceof RetryGaveUp ? err.lastError : err;
    if (isTezsignerError(cause)) throw cause;
    throw backendUnavailable(`cannot ${what} ${connection.vaultUrl}: ${describeVaultError(cause)}`, cause);
  }
}
