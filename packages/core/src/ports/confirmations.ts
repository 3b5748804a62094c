/** A request policy holds for a person, as the person is shown it. */
export interface HeldRequest {
  readonly key: string;
  readonly kind: string;
  readonly chain?: string;
  /** BLAKE2b-256 (hex) of the request bytes */
  readonly hash: string;
  /** what the request does, in words */
  readonly summary: string;
  /** why policy holds it */
  readonly rule: string;
  readonly reason: string;
}

export interface ConfirmationAnswer {
  readonly outcome: 'approved' | 'rejected' | 'timed_out';
  /** the operator who answered, or `timeout` */
  readonly by: string;
}

/**
 * A port to the people who confirm requests: `hold` resolves when one approves or rejects the
 * request, or when nobody answered in time.
 */
export interface Confirmations {
  hold(request: HeldRequest): Promise<ConfirmationAnswer>;
}
