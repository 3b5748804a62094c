import type { ConfirmationAnswer, Confirmations, HeldRequest } from '@tezsigner/core';

export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 60_000;

/** A held request as the operator lists it. */
export interface PendingRequest extends HeldRequest {
  /** stable while it is pending; the operator answers by it */
  readonly id: string;
  /** ms since the epoch */
  readonly receivedAt: number;
}

interface Entry {
  readonly request: PendingRequest;
  readonly answer: (answer: ConfirmationAnswer) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The requests waiting for a person, in the order they arrived. Each waits until an operator
 * answers it or its time runs out; nothing else waits on it.
 */
export class PendingConfirmations implements Confirmations {
  readonly timeoutMs: number;
  readonly #pending = new Map<string, Entry>();
  readonly #now: () => number;
  #next = 1;

  constructor(options: { timeoutMs?: number; now?: () => number } = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CONFIRMATION_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  hold(request: HeldRequest): Promise<ConfirmationAnswer> {
    const id = String(this.#next++);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(id, { outcome: 'timed_out', by: 'timeout' }), this.timeoutMs);
      this.#pending.set(id, { request: { ...request, id, receivedAt: this.#now() }, answer: resolve, timer });
    });
  }

  /** Oldest first. */
  list(): PendingRequest[] {
    return [...this.#pending.values()].map((entry) => entry.request);
  }

  /** Answers one request; false when it is no longer pending (answered, or timed out). */
  decide(id: string, approve: boolean, by: string): boolean {
    return this.#settle(id, { outcome: approve ? 'approved' : 'rejected', by });
  }

  /** Rejects everything still pending (the signer is stopping). */
  close(by = 'shutdown'): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, { outcome: 'rejected', by });
  }

  #settle(id: string, answer: ConfirmationAnswer): boolean {
    const entry = this.#pending.get(id);
    if (entry === undefined) return false;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.answer(answer);
    return true;
  }
}
