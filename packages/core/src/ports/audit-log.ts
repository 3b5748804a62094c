/**
 * What happened to a request: signed at once, refused, held for a person, approved or refused
 * by them, or refused because nobody answered in time; or an answer to a held request that
 * decided nothing (`answer_refused`: not that request, key or bytes, expired, not signed by an
 * approver key), the request left as it was.
 */
export type AuditDecision = 'allowed' | 'denied' | 'held' | 'approved' | 'rejected' | 'timed_out' | 'abandoned' | 'answer_refused';

/** One line of the audit log. */
export interface AuditRecord {
  /** ISO 8601 */
  readonly time: string;
  readonly key: string;
  /** block, attestation, operation, michelson_data, … */
  readonly kind: string;
  /** for requests that name their chain */
  readonly chain?: string | undefined;
  /** BLAKE2b-256 (hex) of the request bytes: which request, without its contents */
  readonly hash: string;
  /** for people: what the request does */
  readonly summary: string;
  readonly decision: AuditDecision;
  /** the policy rule that decided (for policy decisions) */
  readonly rule?: string | undefined;
  /** `policy`, `timeout`, `client` (it went away while held), or the operator who answered */
  readonly by: string;
  readonly reason?: string | undefined;
}

/**
 * A port to the audit trail. `append` resolves only once the record is durable: a decision
 * is written before its answer leaves.
 */
export interface AuditLog {
  readonly name: string;
  append(record: AuditRecord): Promise<void>;
  close?(): Promise<void>;
}
