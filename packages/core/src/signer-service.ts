import { blake2b256 } from './crypto/blake2b.js';
import { isCurve, type Curve } from './curve.js';
import { normalizeEcdsaSignature } from './crypto/ecdsa-normalize.js';
import { backendUnavailable, badRequest, configInvalid, isTezsignerError, keyNotFound, notSupported, policyDenied, storeCorrupt, storeUnavailable, watermarkRefused } from './errors.js';
import { bytesToHex } from './encoding/hex.js';
import { AUTHENTICATION_MAGIC_BYTE, DEFAULT_MAGIC_BYTES, describeMagicByte, formatMagicByte, validateMagicBytes } from './request/magic-bytes.js';
import type { Gatekeeper } from './ports/gatekeeper.js';
import type { KeyInfo, KeyProvider, SignInput } from './ports/key-provider.js';
import { KeyedQueue } from './watermark/keyed-queue.js';
import type { CommitResult, WatermarkKey, WatermarkMark, WatermarkStore } from './ports/watermark-store.js';
import { CURVE_PREFIXES } from './encoding/prefixes.js';
import { decodePublicKey, publicKeyHash } from './encoding/public-key.js';
import { parseRequest, watermarkOf, type SigningRequest } from './request/parse.js';
import { prepareVerifier, verifyBlsProofOfPossession, verifySignature, verifySignatureOf } from './signing/sign-and-verify.js';
import { decodeSignature, encodeSignature } from './encoding/signature.js';
import { checkWatermark, watermarkKeyId } from './watermark/marks.js';
import { blsSchemeFor, isSignatureVersion, type BlsScheme, type SignatureVersion } from './signing/signature-version.js';

export interface SignerPolicy {
  /** first bytes a request may start with; default 0x11, 0x12, 0x13 (a baker's). 0x04 is refused. */
  readonly allowedMagicBytes?: readonly number[] | undefined;
  /** refuse to sign at or below a signed (level, round); default true */
  readonly checkHighWatermark?: boolean | undefined;
}

export interface SignerServiceOptions {
  readonly keys: KeyProvider;
  readonly watermarks: WatermarkStore;
  readonly policy?: SignerPolicy | undefined;
  /** decides, once a request is read, whether it is signed at all (per-key policy, confirmation) */
  readonly gatekeeper?: Gatekeeper | undefined;
}

export interface SignOptions {
  /**
   * octez's `?version=` (absent: the current protocol's). It chooses the BLS scheme of a tz4
   * signature and changes nothing for other keys; version 0 has no BLS (BAD_REQUEST for tz4).
   */
  readonly version?: SignatureVersion | undefined;
  /** aborts when the caller no longer waits for the answer (its client disconnected) */
  readonly gone?: AbortSignal | undefined;
}

export interface SignResult {
  /** b58 signature with the curve's own prefix (edsig/spsig1/p2sig/BLsig) */
  readonly signature: string;
  readonly request: SigningRequest;
  /**
   * - `signed`: signed now (and, when watermarked, committed with its mark);
   * - `repeated`: these exact bytes were signed before and this is the stored signature;
   * - `lost_race`: signed now, but another signer (process or instance) committed these same
   *   bytes first: the stored signature is answered and ours was dropped, never returned.
   */
  readonly outcome: 'signed' | 'repeated' | 'lost_race';
}

/** What is signed: the request's bytes, their digest (hashed once, from the signer's own copy) and the BLS scheme. */
type SignedInput = SignInput & { readonly blsScheme: BlsScheme | undefined };

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The signer: what every front end (HTTP server, CLI) calls. For each request it resolves the
 * key, reads the request, applies the magic-byte policy, checks the high watermark (refusing
 * early, before any backend call), has the backend sign, normalizes and verifies the
 * signature, then commits mark and signature in one conditional, durable step, and answers
 * only what the store holds: from one process or many, at most one signature of a mark ever
 * leaves. The mark moves only with a signature, so a failed signing leaves it where it was.
 * Any fault of the backend or the store fails closed: no signature leaves.
 */
export class SignerService {
  readonly policy: Readonly<{ allowedMagicBytes: readonly number[]; checkHighWatermark: boolean }>;
  readonly #keys: KeyProvider;
  readonly #watermarks: WatermarkStore;
  readonly #gatekeeper: Gatekeeper | undefined;
  /** public key bytes per pkh, once checked to belong to the pkh (BLS decoding is costly) */
  readonly #publicKeys = new Map<string, { text: string; bytes: Uint8Array }>();
  readonly #watermarkQueue = new KeyedQueue();
  /** calls under way, which close() lets finish before it closes the provider and the store */
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: SignerServiceOptions) {
    this.#keys = options.keys;
    this.#watermarks = options.watermarks;
    this.#gatekeeper = options.gatekeeper;
    const checkHighWatermark = options.policy?.checkHighWatermark ?? true;
    if (typeof checkHighWatermark !== 'boolean') throw configInvalid('checkHighWatermark must be true or false');
    this.policy = Object.freeze({
      allowedMagicBytes: Object.freeze(validateMagicBytes(options.policy?.allowedMagicBytes ?? DEFAULT_MAGIC_BYTES)),
      checkHighWatermark,
    });
  }

  listKeys(): Promise<readonly KeyInfo[]> {
    return this.#tracked(() => this.#backend('list its keys', () => this.#keys.listKeys()));
  }

  getPublicKey(pkh: string): Promise<string> {
    return this.#tracked(async () => (await this.#key(pkh)).info.publicKey);
  }

  /**
   * Does now, for a key of this signer, what its first signature would: its public key decoded
   * and checked against its address, and its verifier made (a point decoded and checked, a
   * native key imported; on noble's P-256, a table). About a millisecond a key, on the thread
   * that answers: a bakery's hundreds of keys paid it in the first level after a start. Throws
   * what that signature would (BACKEND_UNAVAILABLE for a public key that is not the address's).
   */
  prepareKey(key: KeyInfo): void {
    // the verifier of the very array later signatures are verified against (found by it)
    prepareVerifier(key.curve, this.#publicKeyBytes(key));
  }

  sign(pkh: string, requestBytes: Uint8Array, options: SignOptions = {}): Promise<SignResult> {
    return this.#tracked(() => this.#sign(pkh, requestBytes, options));
  }

  /**
   * Stops the signer: new calls are refused (BACKEND_UNAVAILABLE), those under way finish, then
   * the key provider and the watermark store it was given are closed, both even when one fails
   * (the first failure is thrown). Stop the front ends first: a request a gatekeeper holds for a
   * person is under way until it is answered. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      const closed = await Promise.allSettled([this.#keys.close?.(), this.#watermarks.close?.()]);
      const failure = closed.find((result) => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
    })();
    return this.#closing;
  }

  async #tracked<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw backendUnavailable('this signer is closed');
    const running = call();
    this.#inFlight.add(running);
    try {
      return await running;
    } finally {
      this.#inFlight.delete(running);
    }
  }

  async #sign(pkh: string, requestBytes: Uint8Array, options: SignOptions): Promise<SignResult> {
    // our own copy: the bytes checked against the watermark must be the bytes signed
    const bytes = requestBytes instanceof Uint8Array ? Uint8Array.from(requestBytes) : requestBytes;
    if (options.version !== undefined && !isSignatureVersion(options.version)) throw badRequest(`unknown signature version ${String(options.version)}`);
    const { info: key, publicKey } = await this.#key(pkh);
    const scheme = blsSchemeFor(key.curve, options.version);
    // policy first: a request of a kind this signer never signs is refused as such, unread
    if (bytes.length > 0) this.#checkMagicByte(bytes[0] as number);
    const request = parseRequest(bytes, key.curve);
    const digest = blake2b256(bytes);
    await this.#gatekeeper?.admit({ pkh: key.pkh, request, bytes, digest, ...(options.gone === undefined ? {} : { gone: options.gone }) });

    const position = this.policy.checkHighWatermark ? watermarkOf(request) : undefined;
    if (position === undefined) {
      const signed = { bytes, digest, blsScheme: scheme };
      const signature = await this.#signUnverified(key, signed);
      this.#verify(key, publicKey, signed, signature);
      return { signature: encodeSignature(key.curve, signature), request, outcome: 'signed' };
    }
    const watermark = { chainId: position.chainId, pkh: key.pkh, kind: position.kind } satisfies WatermarkKey;
    const mark = { level: position.level, round: position.round, hash: bytesToHex(digest) } satisfies WatermarkMark;
    // One request per watermark at a time in this process: a burst of identical requests is
    // signed once and the rest answered from the store, not signed again and dropped.
    return this.#watermarkQueue.run(watermarkKeyId(watermark), async () => {
      const decision = checkWatermark(await this.#store(() => this.#watermarks.read(watermark)), mark);
      if (decision.outcome === 'repeat') {
        return { signature: this.#storedSignature(key, publicKey, bytes, decision.signature, scheme), request, outcome: 'repeated' };
      }
      const { signature, committed } = await this.#signAndCommit(key, publicKey, { bytes, digest, blsScheme: scheme }, watermark, mark);
      if (committed?.committed === true) return { signature, request, outcome: 'signed' };
      if (committed?.committed !== false || typeof committed.stored !== 'object') {
        throw storeUnavailable(`watermark store ${this.#watermarks.name} gave no usable answer to a commit for ${key.pkh}; the signature was not returned`);
      }
      // Someone else committed at or above this mark first: their signature is the one, or none.
      const after = checkWatermark(committed.stored, mark);
      if (after.outcome !== 'repeat') {
        throw storeUnavailable(`watermark store ${this.#watermarks.name} refused a commit above its stored mark for ${key.pkh}; the signature was not returned`);
      }
      return { signature: this.#storedSignature(key, publicKey, bytes, after.signature, scheme), request, outcome: 'lost_race' };
    });
  }

  /**
   * A signature made now by the backend and committed with its mark (the store's answer, which
   * decides whether it may leave). With a store that can prepare a commit, the mark's durable
   * writing starts while the signature is verified, and the mark is made to count only once it
   * has verified; otherwise the signature is verified, then committed.
   */
  async #signAndCommit(
    key: KeyInfo,
    publicKey: Uint8Array,
    signed: SignedInput,
    watermark: WatermarkKey,
    mark: WatermarkMark,
  ): Promise<{ signature: string; committed: CommitResult | undefined }> {
    const raw = await this.#signUnverified(key, signed);
    const prepareCommit = this.#watermarks.prepareCommit;
    const signature = encodeSignature(key.curve, raw);
    if (prepareCommit === undefined) {
      this.#verify(key, publicKey, signed, raw);
      return { signature, committed: await this.#store(() => this.#watermarks.commit(watermark, { ...mark, signature })) };
    }
    // what is prepared counts for nothing, and is seen by nobody, until complete()
    const prepared = await this.#store(async () => prepareCommit.call(this.#watermarks, watermark, { ...mark, signature }));
    try {
      this.#verify(key, publicKey, signed, raw);
    } catch (err) {
      await prepared.abandon().catch(() => undefined);
      throw err;
    }
    return { signature, committed: await this.#store(() => prepared.complete()) };
  }

  /** A signature made now by the backend, in octez's form, not yet verified. */
  async #signUnverified(key: KeyInfo, signed: SignedInput): Promise<Uint8Array> {
    const input = signed.blsScheme === undefined ? { bytes: signed.bytes, digest: signed.digest } : signed;
    const raw = await this.#backend(`sign for ${key.pkh}`, () => this.#keys.sign(key.pkh, input));
    return this.#normalized(key, raw);
  }

  /** BACKEND_UNAVAILABLE (and nothing returned) unless `signature` verifies. */
  #verify(key: KeyInfo, publicKey: Uint8Array, signed: SignedInput, signature: Uint8Array): void {
    if (!verifySignatureOf(key.curve, publicKey, signed, signature)) {
      throw backendUnavailable(`key provider ${this.#keys.name} returned a signature that does not verify for ${key.pkh}; it was not returned`);
    }
  }

  proveProofOfPossession(pkh: string): Promise<string> {
    return this.#tracked(() => this.#proveProofOfPossession(pkh));
  }

  async #proveProofOfPossession(pkh: string): Promise<string> {
    const { info: key, publicKey } = await this.#key(pkh);
    if (key.curve !== 'bls12_381') throw notSupported(`proof of possession exists for tz4 (BLS) keys only; ${key.pkh} is ${key.curve}`);
    const prove = this.#keys.proveProofOfPossession?.bind(this.#keys);
    if (!this.#keys.capabilities.proofOfPossession || prove === undefined) {
      throw notSupported(`key provider ${this.#keys.name} cannot prove possession of its keys`);
    }
    const proof = await this.#backend(`prove possession of ${key.pkh}`, () => prove(key.pkh));
    if (!(proof instanceof Uint8Array) || !verifyBlsProofOfPossession(publicKey, proof)) {
      throw backendUnavailable(`key provider ${this.#keys.name} returned a proof of possession that does not verify for ${key.pkh}`);
    }
    return encodeSignature('bls12_381', proof);
  }

  /**
   * The key asked for, with its public key bytes, checked before anything is read, watermarked
   * or signed with it: a provider that misstates a key's curve or public key must not advance
   * a watermark (nor choose the request layout) on its word.
   */
  async #key(pkh: string): Promise<{ info: KeyInfo; publicKey: Uint8Array }> {
    const key = await this.#backend(`look up ${pkh}`, () => this.#keys.getKey(pkh));
    if (key === undefined) throw keyNotFound(pkh);
    if (key.pkh !== pkh || !isCurve(key.curve)) {
      throw backendUnavailable(`key provider ${this.#keys.name} answered a lookup of ${pkh} with another or malformed key`);
    }
    return { info: key, publicKey: this.#publicKeyBytes(key) };
  }

  /**
   * A signature the store kept for these exact bytes, checked like a fresh one before it leaves
   * (a store's files or rows can be edited or imported) and given with the curve's own prefix.
   *
   * A tz4 repeat asked under the other BLS scheme (version 1 against 2 or 3) is refused, not
   * signed again: BLS is deterministic and the bytes are the same, so a second signature could
   * not be denounced, but it would be a second signature of one mark, and the store keeps (and
   * a shared store's other instances answer with) one. The client gets the refusal it would get
   * for any mark already used; answering the stored signature would hand it one it rejects.
   */
  #storedSignature(key: KeyInfo, publicKey: Uint8Array, bytes: Uint8Array, text: string, blsScheme: BlsScheme | undefined): string {
    let decoded: { curve?: Curve; bytes: Uint8Array } | undefined;
    try {
      decoded = decodeSignature(text);
    } catch {
      decoded = undefined;
    }
    const signature = decoded !== undefined && (decoded.curve ?? key.curve) === key.curve ? decoded.bytes : undefined;
    if (signature !== undefined && verifySignature(key.curve, publicKey, bytes, signature, blsScheme)) return encodeSignature(key.curve, signature);
    const otherScheme = blsScheme === 'aug' ? 'pop' : 'aug';
    if (signature !== undefined && key.curve === 'bls12_381' && verifySignature(key.curve, publicKey, bytes, signature, otherScheme)) {
      throw watermarkRefused(
        `these bytes were signed at this mark for ${key.pkh} under the other BLS scheme (${otherScheme === 'aug' ? 'signature version 1' : 'signature versions 2 and 3'}); one signature per mark: not signed again under the version asked`,
      );
    }
    throw storeCorrupt(`watermark store ${this.#watermarks.name} holds a signature for these bytes that does not verify for ${key.pkh}; nothing was returned`);
  }

  #checkMagicByte(magic: number): void {
    if (magic === AUTHENTICATION_MAGIC_BYTE) {
      throw policyDenied(`magic byte ${describeMagicByte(magic)} is never signed for clients: it would forge an authentication`);
    }
    if (!this.policy.allowedMagicBytes.includes(magic)) {
      const allowed = this.policy.allowedMagicBytes.map(formatMagicByte).join(', ');
      throw policyDenied(`magic byte ${describeMagicByte(magic)} is not allowed by this signer (allowed: ${allowed})`);
    }
  }

  /** The key's public key bytes, once checked to be a key of its curve that hashes to its pkh. */
  #publicKeyBytes(key: KeyInfo): Uint8Array {
    const cached = this.#publicKeys.get(key.pkh);
    if (cached?.text === key.publicKey) return cached.bytes;
    let decoded: { curve: Curve; bytes: Uint8Array };
    try {
      decoded = decodePublicKey(key.publicKey);
    } catch (err) {
      throw backendUnavailable(`key provider ${this.#keys.name} gave an invalid public key for ${key.pkh}: ${messageOf(err)}`, err);
    }
    if (decoded.curve !== key.curve || publicKeyHash(decoded.curve, decoded.bytes) !== key.pkh) {
      throw backendUnavailable(`key provider ${this.#keys.name} gave ${key.pkh} the public key of another key`);
    }
    this.#publicKeys.set(key.pkh, { text: key.publicKey, bytes: decoded.bytes });
    return decoded.bytes;
  }

  /** The signature in octez's form: ECDSA as low-S r‖s (HSMs give either s, some DER). */
  #normalized(key: KeyInfo, raw: unknown): Uint8Array {
    const { signatureLength } = CURVE_PREFIXES[key.curve];
    if (!(raw instanceof Uint8Array)) throw backendUnavailable(`key provider ${this.#keys.name} returned no signature bytes for ${key.pkh}`);
    if (key.curve === 'secp256k1' || key.curve === 'p256') {
      try {
        return normalizeEcdsaSignature(key.curve, raw);
      } catch (err) {
        throw backendUnavailable(`key provider ${this.#keys.name} returned a malformed ${key.curve} signature for ${key.pkh}: ${messageOf(err)}`, err);
      }
    }
    if (raw.length !== signatureLength) {
      throw backendUnavailable(`key provider ${this.#keys.name} returned ${raw.length} signature bytes for ${key.pkh}, expected ${signatureLength}`);
    }
    return raw;
  }

  /** A key provider call: its own TezsignerErrors pass, anything else is BACKEND_UNAVAILABLE. */
  async #backend<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isTezsignerError(err)) throw err;
      throw backendUnavailable(`key provider ${this.#keys.name} failed to ${what}: ${messageOf(err)}`, err);
    }
  }

  /** A watermark store call: its own TezsignerErrors pass, anything else is STORE_UNAVAILABLE. */
  async #store<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isTezsignerError(err)) throw err;
      throw storeUnavailable(`watermark store ${this.#watermarks.name} failed: ${messageOf(err)}`, err);
    }
  }
}
