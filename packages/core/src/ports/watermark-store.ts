/** The kinds of request that carry a high watermark (octez keeps one file per kind). */
export const WATERMARK_KINDS = ['block', 'preattestation', 'attestation', 'legacy_endorsement'] as const;
export type WatermarkKind = (typeof WATERMARK_KINDS)[number];

/** Where a watermark lives: one per chain, key and kind. */
export interface WatermarkKey {
  /** b58 chain id, `Net…` */
  readonly chainId: string;
  /** tz address of the signing key */
  readonly pkh: string;
  readonly kind: WatermarkKind;
}

/** The mark of one request: its position and the BLAKE2b-256 (hex) of its full bytes. */
export interface WatermarkMark {
  readonly level: number;
  readonly round: number;
  readonly hash: string;
}

/** What a store holds per key: the highest mark signed and, once known, its signature. */
export interface StoredWatermark extends WatermarkMark {
  /** b58 signature returned for `hash`; absent between advance and record */
  readonly signature?: string;
}

export interface WatermarkEntry {
  readonly key: WatermarkKey;
  readonly watermark: StoredWatermark;
}

/**
 * The outcome of an atomic check-and-advance:
 * - `advanced`: the mark was higher and is now durably stored; sign, then `record`.
 * - `repeat`: the identical bytes were signed before; answer `signature` and do not sign again.
 * - `resign`: the identical bytes were accepted before but no signature was recorded
 *   (a crash or backend fault in between); signing the same bytes again is safe.
 */
export type CheckResult =
  | { readonly outcome: 'advanced' }
  | { readonly outcome: 'repeat'; readonly signature: string }
  | { readonly outcome: 'resign' };

/**
 * A port to durable high-watermark storage. `checkAndAdvance` applies core's
 * `checkWatermark` rule and persists the new mark as one atomic step per WatermarkKey,
 * across concurrent calls and across every process sharing the store, and returns only
 * once the new mark is durable. It throws WATERMARK_REFUSED (lower, or equal with other
 * bytes), STORE_UNAVAILABLE when it cannot reach its storage and STORE_CORRUPT when stored
 * state cannot be read; it never resets or lowers a stored mark.
 */
export interface WatermarkStore {
  readonly name: string;
  checkAndAdvance(key: WatermarkKey, mark: WatermarkMark): Promise<CheckResult>;
  /** Attach the signature to the stored mark, only if the stored mark is still `mark`. */
  record(key: WatermarkKey, mark: WatermarkMark, signature: string): Promise<void>;
  list(): Promise<readonly WatermarkEntry[]>;
  /**
   * Raise stored marks to the given ones (migration between stores); never lowers one.
   * Returns the keys whose mark was raised.
   */
  importEntries?(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]>;
  close?(): Promise<void>;
}
