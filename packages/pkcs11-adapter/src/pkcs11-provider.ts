import {
  backendUnavailable,
  configInvalid,
  invalidEncoding,
  isTezsignerError,
  keyNotFound,
  normalizeEcdsaSignature,
  printable,
  verifySignature,
  type KeyInfo,
  type KeyProvider,
  type KeyProviderCapabilities,
  type SignInput,
} from '@tezsigner/core';
import { KeyGates } from './key-gates.js';
import { KeySlots } from './key-slots.js';
import { CURVE_ON_TOKEN, TOKEN_CURVES } from './mechanisms.js';
import { HostGone } from './module-host/module-host.js';
import { describePkcs11Error, failureScope } from './pkcs11-failure.js';
import type { Handle } from './pkcs11js-loader.js';
import { stderrLogger, type Pkcs11Logger } from './pkcs11-logger.js';
import { keyReference, listTokenKeys, type TokenKey, type TokenListing } from './token-keys.js';
import { describeSelector } from './token-selector.js';
import { TokenSessions, type TokenCounters, type TokenOptions, type TokenSession } from './token-sessions.js';

export interface Pkcs11ProviderOptions extends Omit<TokenOptions, 'logger' | 'readWrite' | 'deadlineMs'> {
  /** how long one signature may take, a retry on a fresh session included, before failing closed (default 3000 ms) */
  readonly deadlineMs?: number | undefined;
  readonly logger?: Pkcs11Logger | undefined;
}

export const DEFAULT_PKCS11_DEADLINE_MS = 3000;
const DEFAULT_SESSIONS = 8;

/** Room for a DER ECDSA signature (72 bytes at most on these curves), which some modules answer. */
const SIGNATURE_BUFFER = 128;

interface SigningKey extends TokenKey {
  /** the private key object, in the module process it was found in */
  handle?: { readonly generation: number; readonly handle: Handle };
}

/** The fault counters as /metrics exports them (tezsigner_backend_faults_total{fault}). */
export type Pkcs11FaultCounts = Readonly<Record<'hung_call' | 'session_dropped' | 'module_reset' | 'module_restart', number>>;

/**
 * Ed25519, secp256k1 and P-256 keys on a PKCS#11 token (an HSM, a cloud HSM, SoftHSM): they never
 * leave it. The module runs in a process of its own (see TokenSessions), so a call that hangs
 * costs its request, not the signer. Keys are listed when the provider opens (and on refresh);
 * a signature is C_SignInit + C_Sign of the request's BLAKE2b-256 digest with CKM_EDDSA or
 * CKM_ECDSA, put in the form octez accepts (low-S r‖s, from r‖s or DER) and verified against
 * the key before it is returned.
 */
export class Pkcs11KeyProvider implements KeyProvider {
  readonly name = 'pkcs11';
  readonly capabilities: KeyProviderCapabilities = { curves: [...TOKEN_CURVES], proofOfPossession: false };
  private keys = new Map<string, SigningKey>();
  private listing: TokenListing = { found: 0, keys: [], skipped: [] };
  private readonly gates = new KeyGates();
  private readonly slots: KeySlots;
  private readonly deadlineMs: number;
  private readonly logger: Pkcs11Logger;

  private constructor(
    private readonly sessions: TokenSessions,
    private readonly options: Pkcs11ProviderOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_PKCS11_DEADLINE_MS;
    this.logger = options.logger ?? stderrLogger;
    // half the sessions at most for one key: one that hangs before anything knows it leaves the others theirs
    this.slots = new KeySlots(Math.max(1, Math.ceil((options.maxSessions ?? DEFAULT_SESSIONS) / 2)));
  }

  /** Starts the module, logs in to the token and lists its keys: a wrong PIN or a missing token stops here. */
  static async open(options: Pkcs11ProviderOptions): Promise<Pkcs11KeyProvider> {
    const deadlineMs = options.deadlineMs ?? DEFAULT_PKCS11_DEADLINE_MS;
    if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw configInvalid(`deadlineMs must be a positive number of milliseconds, got ${deadlineMs}`);
    const sessions = new TokenSessions({ ...options, deadlineMs, logger: options.logger ?? stderrLogger });
    const provider = new Pkcs11KeyProvider(sessions, options);
    try {
      await sessions.open();
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

  /** What the last listing found on the token: how many private keys, which are served, which skipped and why. */
  lastListing(): TokenListing {
    return this.listing;
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    // a key that is not served (unknown, or skipped as ambiguous) never reaches the module
    const key = this.keys.get(pkh);
    if (key === undefined) throw keyNotFound(pkh);
    if (input.digest.length !== 32) throw invalidEncoding(`the digest to sign must be 32 bytes, got ${input.digest.length}`);
    const admission = this.gates.admit(pkh, this.sessions.generation, Date.now());
    if ('refused' in admission) throw backendUnavailable(admission.refused);
    const until = Date.now() + this.deadlineMs;
    // a trial runs outside the key's share: it is one call every 250 ms at most
    const giveBack = admission.trial ? () => undefined : await this.slots.take(pkh, until);
    let raw: Uint8Array;
    try {
      raw = await this.attempt(key, input.digest, until - Date.now(), admission.trial);
    } catch (err) {
      // one more try on a fresh session when this one broke (the pool has dropped it), or on the
      // module started anew after the token came back
      if (isTezsignerError(err) || failureScope(err) === 'call' || Date.now() >= until) throw this.failed(key, err);
      try {
        raw = await this.attempt(key, input.digest, until - Date.now(), admission.trial);
      } catch (retryErr) {
        throw this.failed(key, retryErr);
      }
    } finally {
      giveBack();
    }
    return this.checked(key, input, raw);
  }

  /** Asks the token for its list again (new keys); the old list stays if this fails. */
  async refresh(): Promise<readonly KeyInfo[]> {
    const listing = await this.sessions.use(async (token) => listTokenKeys(token), Math.max(this.deadlineMs, 30_000));
    this.listing = listing;
    this.keys = new Map(listing.keys.map((key) => [key.info.pkh, { ...key }]));
    const where = describeSelector(this.options.token);
    this.logger.info(`${listing.found} private key(s) on the ${where}: ${listing.keys.length} served, ${listing.skipped.length} skipped`);
    for (const skip of listing.skipped) this.logger.info(`skipping key ${skip.name}: ${skip.reason}`);
    const described = listing.keys.map((key) => `${key.info.pkh} (${printable(key.info.label ?? '')})`).join(', ') || 'none';
    this.logger.info(`${this.keys.size} key(s) served from the ${where}: ${described}`);
    return this.listKeys();
  }

  /** For readiness checks: the module answers now, and answers every key's signatures. */
  async probe(): Promise<void> {
    const problem = this.problem();
    if (problem !== undefined) throw backendUnavailable(problem);
    await this.sessions.check();
  }

  /** Why the HSM is not ready, in a line safe to show on /readyz (no secret, no module text). */
  readinessDetail(): string | undefined {
    return this.problem();
  }

  /** Calls that passed their deadline, sessions dropped, module restarts (for the log and tests). */
  stats(): Readonly<TokenCounters> {
    return { ...this.sessions.counters };
  }

  /** Calls past their deadline the module has not returned yet. */
  callsOut(): number {
    return this.sessions.callsOut();
  }

  /** The same counters as /metrics exports them. */
  faultCounts(): Pkcs11FaultCounts {
    const counters = this.sessions.counters;
    return { hung_call: counters.hungCalls, session_dropped: counters.sessionsDropped, module_reset: counters.resets, module_restart: counters.restarts };
  }

  async close(): Promise<void> {
    await this.sessions.close();
  }

  private problem(): string | undefined {
    return this.sessions.problem() ?? this.gates.describe(Date.now());
  }

  private attempt(key: SigningKey, digest: Uint8Array, deadlineMs: number, trial: boolean): Promise<Uint8Array> {
    const pkh = key.info.pkh;
    const startedAt = Date.now();
    return this.sessions.use(
      async (token) => {
        try {
          const signature = await this.signOn(token, key, digest);
          this.gates.answered(pkh);
          return signature;
        } catch (err) {
          // an error is an answer too: the module is not hanging on this key
          if (!(err instanceof HostGone)) this.gates.answered(pkh);
          throw err;
        }
      },
      deadlineMs,
      { trial, onSetAside: (generation) => this.gates.hung(pkh, generation, startedAt, Date.now()) },
    );
  }

  private async signOn(token: TokenSession, key: SigningKey, digest: Uint8Array): Promise<Uint8Array> {
    const cached = key.handle?.generation === token.generation ? key.handle.handle : null;
    let answer: { handle: Handle | null; signature: Uint8Array };
    try {
      answer = await token.lane.request('sign', token.session, {
        reference: [{ type: token.pkcs11.CKA_CLASS, value: token.pkcs11.CKO_PRIVATE_KEY }, keyReference(token, key)],
        everyKey: [{ type: token.pkcs11.CKA_CLASS, value: token.pkcs11.CKO_PRIVATE_KEY }],
        cached,
        mechanism: CURVE_ON_TOKEN[key.curve].sign,
        data: digest,
        length: SIGNATURE_BUFFER,
      });
    } catch (err) {
      // the token changed since it was listed: never a guess at which object signs (a token
      // gone altogether is left to the pool, which starts the module anew to find it again)
      const found = (err as { found?: unknown }).found;
      if (typeof found !== 'number' || failureScope(err) === 'token') throw err;
      throw backendUnavailable(
        found === 0
          ? `the key ${printable(key.label)} (${key.info.pkh}) is no longer on the token: refused`
          : `the token now holds ${found} private key objects for ${printable(key.label)} (${key.info.pkh}), one was listed: refused rather than a guess; fix the token and restart`,
      );
    }
    if (answer.handle !== null) key.handle = { generation: token.generation, handle: answer.handle };
    return answer.signature;
  }

  private checked(key: SigningKey, input: SignInput, raw: Uint8Array): Uint8Array {
    let signature: Uint8Array;
    try {
      signature = key.curve === 'ed25519' ? raw : normalizeEcdsaSignature(key.curve, raw);
    } catch (err) {
      throw backendUnavailable(`the token answered ${raw.length} bytes that are no ${key.curve} signature for ${key.info.pkh}`, err);
    }
    if (signature.length !== 64 || !verifySignature(key.curve, key.publicKey, input.bytes, signature)) {
      throw backendUnavailable(`the token's signature does not verify against ${key.info.pkh} (${printable(key.label)})`);
    }
    return signature;
  }

  private failed(key: SigningKey, err: unknown): Error {
    if (isTezsignerError(err) && err.code !== 'BACKEND_UNAVAILABLE') return err;
    return backendUnavailable(`the PKCS#11 token did not sign with ${printable(key.label)} (${key.info.pkh}): ${isTezsignerError(err) ? err.message : describePkcs11Error(err)}`, err);
  }
}
