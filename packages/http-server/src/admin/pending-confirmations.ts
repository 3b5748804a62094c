import { randomBytes } from 'node:crypto';
import { TezsignerError, type ConfirmationAnswer, type Confirmations, type HeldRequest } from '@tezsigner/core';

/**
 * Below the clients' own patience (Taquito gives up after 30 s), so a request is answered
 * (or refused) while someone still waits for the signature.
 */
export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 25_000;
/** Requests that may wait for a person at once; beyond it they are refused (OVERLOADED). */
export const DEFAULT_MAX_HELD = 8;

/** A held request as the operator lists it. */
export interface PendingRequest extends HeldRequest {
  /** 16 hex digits, random, so it never names another request, not even after a restart */
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
  /**
   * This signer instance: random, chosen when it starts, so an approval made for one instance
   * answers nothing in another (a restart, a second signer on the same home)
   */
  readonly instance = randomBytes(16).toString('hex');
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

  /** The request held with this id, if it still is. */
  get(id: string): PendingRequest | undefined {
    return this.#pending.get(id)?.request;
  }

  /**
   * Answers the one request held with this id (the caller has checked the answer names its key
   * and bytes); false when it is no longer held (answered, timed out, its client gone).
   */
  settle(id: string, approve: boolean, by: string): boolean {
    return this.#settle(id, { outcome: approve ? 'approved' : 'rejected', by });
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
