import { randomBytes } from 'node:crypto';
import { TezsignerError, type ConfirmationAnswer, type Confirmations, type HeldRequest } from '@tezsigner/core';

/**
 * Below the clients' own patience (Taquito gives up after 30 s), so a request is answered
 * (or refused) while someone still waits for the signature.
 */
export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 25_000;
/** Requests that may wait for a person at once; beyond it they are refused (OVERLOADED). */
export const DEFAULT_MAX_HELD = 8;
/** The shortest hash prefix an answer may name: 64 bits, which nobody can aim a request at. */
export const MIN_HASH_PREFIX = 16;

/** A held request as the operator lists it. */
export interface PendingRequest extends HeldRequest {
  /** random, so it never names another request after a restart; answers name the hash */
  readonly id: string;
  /** ms since the epoch */
  readonly receivedAt: number;
}

interface Entry {
  readonly request: PendingRequest;
  readonly answer: (answer: ConfirmationAnswer) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly release: () => void;
}

export interface PendingConfirmationsOptions {
  readonly timeoutMs?: number;
  readonly maxHeld?: number;
  readonly now?: () => number;
  /** told when a held request is dropped because its client went away */
  readonly onAbandoned?: (request: PendingRequest) => void;
}

/**
 * The requests waiting for a person, in the order they arrived. Each waits until an operator
 * answers it, its time runs out or its client disconnects; nothing else waits on it. At most
 * `maxHeld` wait at once, so held requests never take every connection from consensus signing.
 */
export class PendingConfirmations implements Confirmations {
  readonly timeoutMs: number;
  readonly maxHeld: number;
  readonly #pending = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #onAbandoned: ((request: PendingRequest) => void) | undefined;

  constructor(options: PendingConfirmationsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CONFIRMATION_TIMEOUT_MS;
    this.maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
    this.#now = options.now ?? Date.now;
    this.#onAbandoned = options.onAbandoned;
  }

  hold(request: HeldRequest, gone?: AbortSignal): Promise<ConfirmationAnswer> {
    if (gone?.aborted === true) return Promise.resolve({ outcome: 'abandoned', by: 'client' });
    if (this.#pending.size >= this.maxHeld) {
      throw new TezsignerError('OVERLOADED', `${this.#pending.size} requests already wait for confirmation (at most ${this.maxHeld}); answer them with tezsigner confirm`);
    }
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(id, { outcome: 'timed_out', by: 'timeout' }), this.timeoutMs);
      const onGone = () => {
        const entry = this.#pending.get(id);
        if (entry !== undefined && this.#settle(id, { outcome: 'abandoned', by: 'client' })) this.#onAbandoned?.(entry.request);
      };
      gone?.addEventListener('abort', onGone, { once: true });
      const release = () => gone?.removeEventListener('abort', onGone);
      this.#pending.set(id, { request: { ...request, id, receivedAt: this.#now() }, answer: resolve, timer, release });
    });
  }

  /** Oldest first. */
  list(): PendingRequest[] {
    return [...this.#pending.values()].map((entry) => entry.request);
  }

  /**
   * Answers the requests whose hash starts with `hash` (at least MIN_HASH_PREFIX hex digits):
   * an answer names the bytes shown, never a position in a list. Several pending requests with
   * the same bytes are answered together; a prefix of two different hashes answers none.
   * Returns how many were answered (0: none is pending with that hash).
   */
  decide(hash: string, approve: boolean, by: string): number {
    const prefix = hash.toLowerCase();
    if (!new RegExp(`^[0-9a-f]{${MIN_HASH_PREFIX},64}$`).test(prefix)) {
      throw new TezsignerError('BAD_REQUEST', `name a held request by its hash (at least ${MIN_HASH_PREFIX} hex digits, as tezsigner confirm shows it), not ${JSON.stringify(hash)}`);
    }
    const matching = [...this.#pending.values()].filter((entry) => entry.request.hash.startsWith(prefix));
    if (new Set(matching.map((entry) => entry.request.hash)).size > 1) {
      throw new TezsignerError('BAD_REQUEST', `${prefix} starts the hashes of several held requests: give more of it`);
    }
    let answered = 0;
    for (const entry of matching) if (this.#settle(entry.request.id, { outcome: approve ? 'approved' : 'rejected', by })) answered++;
    return answered;
  }

  /** Refuses everything pending (the operator's "deny all"); returns how many. */
  denyAll(by: string): number {
    let refused = 0;
    for (const id of [...this.#pending.keys()]) if (this.#settle(id, { outcome: 'rejected', by })) refused++;
    return refused;
  }

  /** Rejects everything still pending (the signer is stopping). */
  close(by = 'shutdown'): void {
    this.denyAll(by);
  }

  #settle(id: string, answer: ConfirmationAnswer): boolean {
    const entry = this.#pending.get(id);
    if (entry === undefined) return false;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.release();
    entry.answer(answer);
    return true;
  }
}
