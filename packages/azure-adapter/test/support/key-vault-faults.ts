/** The Key Vault operations the stand-in serves, as its request log and faults name them. */
export type Operation = 'list' | 'versions' | 'get' | 'create' | 'import' | 'sign';

/** What can go wrong with one answer of the service. */
export type Fault =
  /** throttling: 429 with a Retry-After of this many seconds (the header is left out when undefined) */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds?: number }
  /** a server error with this status (500, 502, 503, 504) */
  | { readonly kind: 'status'; readonly status: number }
  /** the connection is cut before any answer */
  | { readonly kind: 'drop' }
  /** the answer comes this late (a timeout on the client's side) */
  | { readonly kind: 'delay'; readonly ms: number }
  /** a well-formed signature of other bytes */
  | { readonly kind: 'wrong-signature' }
  /** a correct signature in its high-S form */
  | { readonly kind: 'high-s' }
  /** a signature of the wrong length (a few bytes cut off its end) */
  | { readonly kind: 'malformed-signature' };

interface Pending {
  readonly operation: Operation;
  readonly fault: Fault;
  remaining: number;
}

/** Faults queued per operation, applied in order to the next authorized requests. */
export class FaultPlan {
  private readonly pending: Pending[] = [];

  add(operation: Operation, fault: Fault, times: number): void {
    this.pending.push({ operation, fault, remaining: times });
  }

  /** The fault for this request, consuming one use of it. */
  take(operation: Operation): Fault | undefined {
    const index = this.pending.findIndex((entry) => entry.operation === operation);
    if (index < 0) return undefined;
    const entry = this.pending[index] as Pending;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.pending.length = 0;
  }
}
