import type { KeyClient } from '@azure/keyvault-keys';
import {
  TezsignerError,
  backendUnavailable,
  blake2b256,
  invalidEncoding,
  isTezsignerError,
  keyNotFound,
  type KeyInfo,
  type KeyProvider,
  type KeyProviderCapabilities,
  type SignInput,
} from '@tezsigner/core';
import type { SignEndpoint, VaultChannel } from './channel.js';
import { checkVaultUrl, createKeyClient, createVaultChannel, type VaultConnection } from './connection.js';
import { classifyVaultError, describeVaultError } from './error.js';
import { SOFTWARE_PROTECTED, type VaultKey } from './key.js';
import { listVault, loadPinned, type PinnedKey, type VaultListing } from './listing.js';
import { stderrLogger, type KeyVaultLogger } from './logger.js';
import { signInVault } from './signature.js';
import { RetryGaveUp, causeOf, retryWithinDeadline, type RetryBudget } from '../retry.js';

export interface AzureKeyVaultProviderOptions extends VaultConnection {
  /** sign only with these keys (no `list` permission needed); every usable key of the vault otherwise */
  readonly pinnedKeys?: readonly PinnedKey[] | undefined;
  /**
   * How long one signature may take, retries included, before failing closed. Default 3000 ms:
   * well inside a block time, so the baker still has time to act on its own.
   */
  readonly deadlineMs?: number | undefined;
  /** one request to the vault is abandoned after this long; default min(1500, deadlineMs) */
  readonly attemptTimeoutMs?: number | undefined;
  /** budget for listing the keys (at start and on refresh); default 30000 ms */
  readonly listDeadlineMs?: number | undefined;
  /** HTTPS connections kept open to the vault at most (default 64): signatures in flight beyond it wait for one */
  readonly maxConnections?: number | undefined;
  readonly logger?: KeyVaultLogger | undefined;
}

interface SigningKey {
  readonly info: KeyInfo;
  readonly key: VaultKey;
  readonly endpoint: SignEndpoint;
}

export const DEFAULT_SIGN_DEADLINE_MS = 3000;

/**
 * What a readiness probe has the vault sign after a failed signature: no Tezos request (its first
 * byte is no magic byte), and the signature is only verified, never handed to anyone.
 */
const PROBE_BYTES = new TextEncoder().encode('tezsigner readiness probe: not a Tezos request');
const PROBE_INPUT: SignInput = { bytes: PROBE_BYTES, digest: blake2b256(PROBE_BYTES) };

/**
 * tz2/tz3 keys held in Azure Key Vault or Managed HSM; they never leave it. Keys are listed once
 * (and on refresh) and their public keys cached, so a signature costs one request to the vault,
 * retried within a deadline on throttling, server errors, timeouts and cut connections, and
 * verified before it is returned.
 */
export class AzureKeyVaultProvider implements KeyProvider {
  readonly name = 'azure-key-vault';
  readonly capabilities: KeyProviderCapabilities = { curves: ['secp256k1', 'p256'], proofOfPossession: false };

  private readonly keyClient: KeyClient;
  private readonly channel: VaultChannel;
  private readonly vaultUrl: string;
  private readonly signBudget: RetryBudget;
  private readonly listBudget: RetryBudget;
  private readonly logger: KeyVaultLogger;
  private loaded: Promise<Map<string, SigningKey>> | undefined;
  /** Per key, why its last signature failed (cleared by a signature or a probe that works). */
  private readonly failing = new Map<string, TezsignerError>();

  constructor(private readonly options: AzureKeyVaultProviderOptions) {
    const deadlineMs = positive(options.deadlineMs ?? DEFAULT_SIGN_DEADLINE_MS, 'deadlineMs');
    this.signBudget = { deadlineMs, attemptTimeoutMs: positive(options.attemptTimeoutMs ?? Math.min(1500, deadlineMs), 'attemptTimeoutMs') };
    const listDeadlineMs = positive(options.listDeadlineMs ?? 30_000, 'listDeadlineMs');
    this.listBudget = { deadlineMs: listDeadlineMs, attemptTimeoutMs: listDeadlineMs / 2, baseDelayMs: 200, maxDelayMs: 5000 };
    this.logger = options.logger ?? stderrLogger;
    this.vaultUrl = checkVaultUrl(options.vaultUrl);
    this.channel = createVaultChannel(options, options.maxConnections);
    this.keyClient = createKeyClient(options, this.channel.agent);
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    return [...(await this.keys()).values()].map((entry) => entry.info);
  }

  async getKey(pkh: string): Promise<KeyInfo | undefined> {
    return (await this.keys()).get(pkh)?.info;
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    const entry = (await this.keys()).get(pkh);
    if (entry === undefined) throw keyNotFound(pkh);
    if (input.digest.length !== 32) throw invalidEncoding(`the digest to sign must be 32 bytes, got ${input.digest.length}`);
    try {
      const signature = await this.signWith(entry, input);
      this.failing.delete(pkh);
      return signature;
    } catch (err) {
      if (err instanceof TezsignerError) this.failing.set(pkh, err);
      throw err;
    }
  }

  private async signWith(entry: SigningKey, input: SignInput): Promise<Uint8Array> {
    const label = `${entry.key.name}/${entry.key.version}`;
    try {
      return await retryWithinDeadline(
        (signal) => signInVault(entry.key, this.channel, entry.endpoint, input, signal),
        classifyVaultError,
        this.signBudget,
        (reason, delayMs) => this.logger.warn(`sign with ${label}: ${reason}; retrying in ${Math.round(delayMs)} ms`),
      );
    } catch (err) {
      const last = err instanceof RetryGaveUp ? err.lastError : err;
      const why = err instanceof RetryGaveUp ? `; ${err.why} after ${err.attempts} attempt(s)` : '';
      throw backendUnavailable(`Azure Key Vault did not sign with ${label} (${entry.info.pkh}): ${describeVaultError(last)}${why}`, causeOf(err));
    }
  }

  /**
   * For readiness checks: the vault answers a read of one served key, so the token, the
   * network and the permissions all work now (the key list itself is kept from the start).
   */
  async probe(): Promise<void> {
    const [first] = (await this.keys()).values();
    if (first === undefined) return;
    try {
      await this.keyClient.getKey(first.key.name, { version: first.key.version, abortSignal: AbortSignal.timeout(this.signBudget.deadlineMs) });
    } catch (err) {
      throw backendUnavailable(`Azure Key Vault did not answer a read of ${first.key.name}: ${describeVaultError(err)}`, err);
    }
    // a vault that reads but signs wrong (or not at all) is not ready either: a key whose last
    // signature failed signs a probe, so the fault clears by itself once it is gone
    const keys = await this.keys();
    for (const [pkh, failure] of this.failing) {
      const entry = keys.get(pkh);
      if (entry === undefined) continue;
      await this.signWith(entry, PROBE_INPUT);
      if (this.failing.get(pkh) === failure) this.failing.delete(pkh);
    }
  }

  /** Closes the vault's connections. */
  async close(): Promise<void> {
    this.channel.close();
  }

  /** Lists the vault again (new keys, new versions, disabled keys); the old list stays if this fails. */
  async refresh(): Promise<readonly KeyInfo[]> {
    const next = this.load();
    await next;
    this.loaded = next;
    return this.listKeys();
  }

  private keys(): Promise<Map<string, SigningKey>> {
    if (this.loaded === undefined) {
      const loading = this.load();
      this.loaded = loading;
      // A failed start is not cached: the next call asks the vault again.
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
    }
    return this.loaded;
  }

  private async load(): Promise<Map<string, SigningKey>> {
    const pinned = this.options.pinnedKeys;
    let listing: VaultListing;
    try {
      listing = await retryWithinDeadline(
        (signal) => (pinned === undefined ? listVault(this.keyClient, signal) : loadPinned(this.keyClient, pinned, signal)),
        classifyVaultError,
        this.listBudget,
        (reason, delayMs) => this.logger.warn(`listing keys: ${reason}; retrying in ${Math.round(delayMs)} ms`),
      );
    } catch (err) {
      const cause = err instanceof RetryGaveUp ? err.lastError : err;
      if (isTezsignerError(cause)) throw cause;
      throw backendUnavailable(`cannot list the keys of ${this.options.vaultUrl}: ${describeVaultError(cause)}`, cause);
    }
    for (const skip of listing.skipped) {
      this.logger.info(`skipping key ${skip.name}${skip.version === undefined ? '' : `/${skip.version}`}: ${skip.reason}`);
    }
    const keys = new Map<string, SigningKey>();
    for (const key of listing.usable) {
      const label = `${key.name}/${key.version}`;
      if (!key.hardwareProtected) this.logger.warn(`key ${label} is ${SOFTWARE_PROTECTED}`);
      // the exact version listed: a rotation in the vault never changes the key behind an address
      const endpoint = this.channel.signEndpoint(this.vaultUrl, key.name, key.version);
      keys.set(key.pkh, { info: { pkh: key.pkh, curve: key.curve, publicKey: key.publicKey, label }, key, endpoint });
    }
    this.logger.info(`${keys.size} key(s) in ${this.options.vaultUrl}: ${[...keys.values()].map((k) => `${k.info.pkh} (${k.info.label ?? ''})`).join(', ') || 'none'}`);
    return keys;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TezsignerError('CONFIG_INVALID', `${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
