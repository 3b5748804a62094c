import { CURVES, MemoryKeyProvider, backendUnavailable, keyNotFound } from '@tezsigner/core';
import type { KeyInfo, KeyProvider, SecretKey, SignInput } from '@tezsigner/core';

/** A key of the vault as listed (public facts, read without the passphrase) and how to open it. */
export interface ClosedKey {
  readonly info: KeyInfo;
  /** decrypts and checks its secret key (PBKDF2: tens of milliseconds, off the main thread) */
  readonly open: () => Promise<SecretKey>;
  /** its signer when it is already open and checked (from the vault's unlock cache): never opened again */
  readonly opened?: MemoryKeyProvider | undefined;
}

export interface OpeningOptions {
  /** keys decrypted at once (each holds a thread of libuv's pool while it is) */
  readonly concurrency: number;
  /** told once when every key opened in the background is open, with how long it took since the start */
  readonly onAllOpen?: (count: number, ms: number) => void;
  /** told once about each key that cannot be opened once opening is in the background */
  readonly onFailure?: (pkh: string, err: unknown) => void;
}

type KeyState =
  | { readonly state: 'closed' }
  | { readonly state: 'opening'; readonly opened: Promise<MemoryKeyProvider> }
  | { readonly state: 'open'; readonly signer: MemoryKeyProvider }
  | { readonly state: 'failed'; readonly err: unknown };

/**
 * The vault's keys, each decrypted once and then signing with core's MemoryKeyProvider; this
 * adds what the vault knows about each key (its name as the label) to what is listed. Keys are
 * listed from their files' public facts at once and opened `concurrency` at a time, in their
 * order, so that a signer with hundreds of keys listens within a second of starting instead of
 * after seconds of PBKDF2: a request for a key not yet open moves it to the front and waits for
 * it (tens of milliseconds), and one that cannot be opened fails with the reason, every time,
 * while the others sign. No key signs before it is decrypted and checked against its public key.
 * It is ready (probe) only once every key is open: a signer that says so answers any key at once.
 */
export class VaultKeyProvider implements KeyProvider {
  readonly name = 'local';
  readonly capabilities: KeyProvider['capabilities'] = { curves: CURVES, proofOfPossession: true };
  readonly #infos: ReadonlyMap<string, KeyInfo>;
  readonly #closed: ReadonlyMap<string, ClosedKey>;
  readonly #states = new Map<string, KeyState>();
  /** keys not yet being opened, in the order they will be */
  readonly #queue: string[];
  readonly #options: OpeningOptions;
  readonly #started = performance.now();
  #opening = 0;
  #open = 0;
  #failed = 0;
  #stopped = false;
  #reported = false;
  #inBackground = false;
  #reportAllOpen = false;
  readonly #allSettled: Promise<void>;
  #settle: () => void = () => undefined;
  /** work begun once every key settled (the unlock cache's rewrite): close waits for it */
  #afterSettled: Promise<void> = Promise.resolve();
  #isSettled = false;

  constructor(keys: readonly ClosedKey[], options: OpeningOptions) {
    this.#infos = new Map(keys.map(({ info }) => [info.pkh, info]));
    this.#closed = new Map(keys.map((key) => [key.info.pkh, key]));
    for (const { info, opened } of keys) {
      if (opened === undefined) this.#states.set(info.pkh, { state: 'closed' });
      else this.#opened(info.pkh, opened);
    }
    this.#queue = keys.filter(({ opened }) => opened === undefined).map(({ info }) => info.pkh);
    this.#options = options;
    this.#allSettled = new Promise((resolve) => (this.#settle = resolve));
    // first of the callbacks on #allSettled, so set before whenSettled's task begins
    void this.#allSettled.then(() => (this.#isSettled = true));
    if (this.#queue.length === 0) this.#settle();
  }

  /**
   * Starts opening every key still closed in the background, `concurrency` at a time; from now
   * on a key that cannot be opened is told to onFailure (before, its caller was told).
   */
  openInBackground(): void {
    this.#inBackground = true;
    this.#reportAllOpen = this.#open < this.#states.size;
    this.#pump();
  }

  /**
   * Opens `pkh` now, before any other still waiting (others already being opened go on), and
   * resolves once it is open; rejects with why it cannot be.
   */
  async open(pkh: string): Promise<void> {
    await this.#signer(pkh);
  }

  /** Resolves once every key is open; rejects with the first key's failure, in the vault's order. */
  async openAll(): Promise<void> {
    this.#pump();
    await this.#allSettled;
    for (const state of this.#states.values()) if (state.state === 'failed') throw state.err;
  }

  /** Resolves once every key is open or known not to open. */
  settled(): Promise<void> {
    return this.#allSettled;
  }

  /**
   * For readiness: ready once every key is open. A key still being opened keeps it not ready
   * (its requests would wait for PBKDF2), and so does one that cannot be opened, for good (the
   * log says which and why).
   */
  async probe(): Promise<void> {
    if (this.#failed > 0) for (const state of this.#states.values()) if (state.state === 'failed') throw state.err;
    if (this.#open < this.#states.size) throw backendUnavailable(this.readinessDetail() ?? '');
  }

  /** Why it is not ready, for /readyz: how many keys of how many are open. */
  readinessDetail(): string | undefined {
    if (this.#open === this.#states.size) return undefined;
    const failed = this.#failed === 0 ? '' : `, ${this.#failed} cannot be opened`;
    return `${this.#open} of ${this.#states.size} keys open${failed}`;
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    return [...this.#infos.values()];
  }

  async getKey(pkh: string): Promise<KeyInfo | undefined> {
    return this.#infos.get(pkh);
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    return (await this.#signer(pkh)).sign(pkh, input);
  }

  async proveProofOfPossession(pkh: string): Promise<Uint8Array> {
    return (await this.#signer(pkh)).proveProofOfPossession(pkh);
  }

  /**
   * Runs `task` once every key is open or known not to open, unless closed before; close waits
   * for it, so that a stopped signer leaves no file half written behind it.
   */
  whenSettled(task: () => Promise<void>): void {
    this.#afterSettled = this.#allSettled.then(() => (this.#stopped ? undefined : task()));
  }

  /** Stops opening keys (those under way finish) and waits for whenSettled's task; the open ones still sign. */
  async close(): Promise<void> {
    this.#stopped = true;
    // settled by now, or never (stopped): a task not begun is not waited for
    if (this.#isSettled) await this.#afterSettled;
  }

  /** The key's signer once it is open; KEY_NOT_FOUND for a key not here. */
  async #signer(pkh: string): Promise<MemoryKeyProvider> {
    const state = this.#states.get(pkh);
    switch (state?.state) {
      case undefined:
        throw keyNotFound(pkh);
      case 'open':
        return state.signer;
      case 'failed':
        throw state.err;
      case 'opening':
        return state.opened;
      case 'closed': {
        // first in line, even beyond the concurrency: someone is waiting for this one
        this.#queue.splice(this.#queue.indexOf(pkh), 1);
        return this.#start(pkh);
      }
    }
  }

  #pump(): void {
    while (!this.#stopped && this.#opening < this.#options.concurrency && this.#queue.length > 0) {
      void this.#start(this.#queue.shift() as string).catch(() => undefined);
    }
  }

  #start(pkh: string): Promise<MemoryKeyProvider> {
    const key = this.#closed.get(pkh) as ClosedKey;
    this.#opening += 1;
    const opened = key.open().then(
      (secretKey) => this.#opened(pkh, new MemoryKeyProvider([secretKey])),
      (err: unknown) => {
        this.#states.set(pkh, { state: 'failed', err });
        this.#failed += 1;
        if (this.#inBackground) this.#options.onFailure?.(pkh, err);
        throw err;
      },
    );
    this.#states.set(pkh, { state: 'opening', opened });
    const done = () => {
      this.#opening -= 1;
      this.#pump();
      if (this.#queue.length === 0 && this.#opening === 0 && this.#open + this.#failed === this.#states.size) {
        this.#settled();
      }
    };
    opened.then(done, done);
    return opened;
  }

  #opened(pkh: string, signer: MemoryKeyProvider): MemoryKeyProvider {
    this.#states.set(pkh, { state: 'open', signer });
    this.#open += 1;
    return signer;
  }

  #settled(): void {
    if (this.#reported) return;
    this.#reported = true;
    if (this.#reportAllOpen && this.#open === this.#states.size) this.#options.onAllOpen?.(this.#open, performance.now() - this.#started);
    this.#settle();
  }
}
