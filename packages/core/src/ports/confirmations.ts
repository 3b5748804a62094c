/** A request policy holds for a person, as the person is shown it. */
export interface HeldRequest {
  readonly key: string;
  readonly kind: string;
  readonly chain?: string | undefined;
  /** BLAKE2b-256 (hex) of the request bytes: what an approval names */
  readonly hash: string;
  /** what the request does, in words */
  readonly summary: string;
  /** for an operation: the block it is branched on (its bytes name no chain) */
  readonly branch?: string | undefined;
  /** for an operation, all contents together: mutez taken at worst (sent, burnt, locked) and fees */
  readonly totals?: { readonly amount: bigint; readonly fee: bigint } | undefined;
  /** what is signed, whole: the decoded operation (parameters included) as JSON */
  readonly details?: unknown;
  /** why policy holds it */
  readonly rule: string;
  readonly reason: string;
}

export interface ConfirmationAnswer {
  readonly outcome: 'approved' | 'rejected' | 'timed_out' | 'abandoned';
  /** the operator who answered, `timeout`, or `client` (it disconnected) */
  readonly by: string;
}

/**
 * A port to the people who confirm requests: `hold` resolves when one approves or rejects the
 * request, when nobody answered in time, or when `gone` aborts (its client disconnected: nobody
 * would receive the signature). It throws OVERLOADED when too many requests wait already.
 */
export interface Confirmations {
  hold(request: HeldRequest, gone?: AbortSignal): Promise<ConfirmationAnswer>;
}
