import {
  backendUnavailable,
  configInvalid,
  invalidEncoding,
  isTezsignerError,
  keyNotFound,
  normalizeEcdsaSignature,
  verifySignature,
  type KeyInfo,
  type KeyProvider,
  type KeyProviderCapabilities,
  type SignInput,
} from '@tezsigner/core';
import { CURVE_ON_TOKEN, TOKEN_CURVES } from './mechanisms.js';
import { describePkcs11Error, failureScope } from './pkcs11-failure.js';
import type { Handle } from './pkcs11js-loader.js';
import { stderrLogger, type Pkcs11Logger } from './pkcs11-logger.js';
import { findPrivateKey, listTokenKeys, type TokenKey } from './token-keys.js';
import { describeSelector } from './token-selector.js';
import { TokenSessions, type TokenCounters, type TokenOptions, type TokenSession } from './token-sessions.js';

export interface Pkcs11ProviderOptions extends Omit<TokenOptions, 'logger' | 'readWrite'> {
  /** how long one signature may take, a retry on a fresh session included, before failing closed (default 3000 ms) */
  readonly deadlineMs?: number | undefined;
  readonly logger?: Pkcs11Logger | undefined;
}

export const DEFAULT_PKCS11_DEADLINE_MS = 3000;

interface SigningKey extends TokenKey {
  /** the private key object, for the module generation it was found in */
  handle?: { readonly generation: number; readonly handle: Handle };
}

/**
 * Ed25519, secp256k1 and P-256 keys on a PKCS#11 token (an HSM, a cloud HSM, SoftHSM): they never
 * leave it. Keys are listed when the provider opens (and on refresh); a signature is
 * C_SignInit + C_Sign (asynchronous: the module works off the event loop) of the request's
 * BLAKE2b-256 digest with CKM_EDDSA or CKM_ECDSA, put in the form octez accepts (low-S r‖s) and
 * verified against the key before it is returned.
 */
export class Pkcs11KeyProvider implements KeyProvider {
  readonly name = 'pkcs11';
  readonly capabilities: KeyProviderCapabilities = { curves: [...TOKEN_CURVES], proofOfPossession: false };
  private keys = new Map<string, SigningKey>();
  private readonly deadlineMs: number;
  private readonly logger: Pkcs11Logger;

  private constructor(
    private readonly sessions: TokenSessions,
    private readonly options: Pkcs11ProviderOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_PKCS11_DEADLINE_MS;
    if (!Number.isFinite(this.deadlineMs) || this.deadlineMs <= 0) throw configInvalid(`deadlineMs must be a positive number of milliseconds, got ${this.deadlineMs}`);
    this.logger = options.logger ?? stderrLogger;
  }

  /** Loads the module, logs in to the token and lists its keys: a wrong PIN or a missing token stops here. */
  static async open(options: Pkcs11ProviderOptions): Promise<Pkcs11KeyProvider> {
    const sessions = new TokenSessions({ ...options, logger: options.logger ?? stderrLogger });
    const provider = new Pkcs11KeyProvider(sessions, options);
    try {
      await provider.refresh();
    } catch (err) {
      await sessions.close();
      throw err;
    }
    return provider;
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    return [...this.keys.values()].map((key) => key.info);
  }

  async getKey(pkh: string): Promise<KeyInfo | undefined> {
    return this.keys.get(pkh)?.info;
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    const key = this.keys.get(pkh);
    if (key === undefined) throw keyNotFound(pkh);
    if (input.digest.length !== 32) throw invalidEncoding(`the digest to sign must be 32 bytes, got ${input.digest.length}`);
    const until = Date.now() + this.deadlineMs;
    let raw: Buffer;
    try {
      raw = await this.sessions.use((token) => this.signOn(token, key, input.digest), this.deadlineMs);
    } catch (err) {
      // one more try on a fresh session when this one broke (the pool has dropped it)
      if (isTezsignerError(err) || failureScope(err) === 'call' || Date.now() >= until) throw this.failed(key, err);
      try {
        raw = await this.sessions.use((token) => this.signOn(token, key, input.digest), until - Date.now());
      } catch (retryErr) {
        throw this.failed(key, retryErr);
      }
    }
    return this.checked(key, input, raw);
  }

  /** Asks the token for its list again (new keys); the old list stays if this fails. */
  async refresh(): Promise<readonly KeyInfo[]> {
    const listing = await this.sessions.use(async (token) => listTokenKeys(token), Math.max(this.deadlineMs, 30_000));
    for (const skip of listing.skipped) this.logger.info(`skipping key ${skip}`);
    this.keys = new Map(listing.keys.map((key) => [key.info.pkh, { ...key }]));
    const described = listing.keys.map((key) => `${key.info.pkh} (${key.label})`).join(', ') || 'none';
    this.logger.info(`${this.keys.size} key(s) on the ${describeSelector(this.options.token)}: ${described}`);
    return this.listKeys();
  }

  /** For readiness checks: a session of the token answers now. */
  async probe(): Promise<void> {
    await this.sessions.use(async (token) => token.module.C_GetSessionInfo(token.session), this.deadlineMs);
  }

  /** Calls abandoned at their deadline, sessions dropped, module reinitializations. */
  stats(): Readonly<TokenCounters> {
    return { ...this.sessions.counters };
  }

  async close(): Promise<void> {
    await this.sessions.close();
  }

  private async signOn(token: TokenSession, key: SigningKey, digest: Uint8Array): Promise<Buffer> {
    const mechanism = { mechanism: CURVE_ON_TOKEN[key.curve].sign };
    if (key.handle?.generation !== token.generation) key.handle = { generation: token.generation, handle: findPrivateKey(token, key) };
    try {
      token.module.C_SignInit(token.session, mechanism, key.handle.handle);
    } catch (err) {
      // a module may renumber private objects when its login ends (every session closed): find the key again
      if (!/CKR_(OBJECT|KEY)_HANDLE_INVALID/.test(describePkcs11Error(err))) throw err;
      key.handle = { generation: token.generation, handle: findPrivateKey(token, key) };
      token.module.C_SignInit(token.session, mechanism, key.handle.handle);
    }
    return await token.module.C_SignAsync(token.session, Buffer.from(digest), Buffer.alloc(64));
  }

  private checked(key: SigningKey, input: SignInput, raw: Uint8Array): Uint8Array {
    let signature: Uint8Array;
    try {
      signature = key.curve === 'ed25519' ? raw : normalizeEcdsaSignature(key.curve, raw);
    } catch (err) {
      throw backendUnavailable(`the token answered ${raw.length} bytes that are no ${key.curve} signature for ${key.info.pkh}`, err);
    }
    if (signature.length !== 64 || !verifySignature(key.curve, key.publicKey, input.bytes, signature)) {
      throw backendUnavailable(`the token's signature does not verify against ${key.info.pkh} (${key.label})`);
    }
    return signature;
  }

  private failed(key: SigningKey, err: unknown): Error {
    if (isTezsignerError(err) && err.code !== 'BACKEND_UNAVAILABLE') return err;
    return backendUnavailable(`the PKCS#11 token did not sign with ${key.label} (${key.info.pkh}): ${isTezsignerError(err) ? err.message : describePkcs11Error(err)}`, err);
  }
}
