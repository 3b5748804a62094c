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

/** A mark with the one signature that was given for it. */
export interface SignedMark extends WatermarkMark {
  /** b58 signature of the bytes whose hash is `hash` */
  readonly signature: string;
}

/** What a store holds per key: the highest mark signed and the signature given for it. */
export interface StoredWatermark extends WatermarkMark {
  /**
   * The signature committed with the mark. Absent only for marks that were imported without
   * one, or written by a version that stored the mark before signing: such bytes are never
   * signed again, since a signature of them may already be out.
   */
  readonly signature?: string | undefined;
}

export interface WatermarkEntry {
  readonly key: WatermarkKey;
  readonly watermark: StoredWatermark;
}

/**
 * The outcome of a conditional commit: `committed`, or not, with the stored watermark that
 * stood in the way (at or above the mark offered), which the caller decides on again.
 */
export type CommitResult =
  | { readonly committed: true }
  | { readonly committed: false; readonly stored: StoredWatermark };

/**
 * A commit begun while its signature is still being verified (WatermarkStore.prepareCommit).
 * Until `complete()`, nothing of it counts or can be seen: no read, list or commit of any
 * instance sees the mark, and a crash leaves at most clutter the store ignores.
 */
export interface PreparedCommit {
  /**
   * Makes the mark count, deciding exactly as `commit` with the same key and mark would at this
   * moment (conditional, atomic, durable before it returns). Called at most once, and only once
   * the signature has verified.
   */
  complete(): Promise<CommitResult>;
  /** Drops what was prepared (the signature did not verify): the stored marks stay as they were. Never throws. */
  abandon(): Promise<void>;
}

/**
 * A port to durable high-watermark storage. Signing is read → decide (core's
 * `checkWatermark`) → sign → `commit`, and `commit` alone decides: it stores the mark with its
 * signature as one atomic, conditional step that succeeds only while every stored mark of
 * the key is strictly below it, across concurrent calls, processes and instances sharing the
 * store, and it returns only once the outcome is durable. So at most one signature can ever
 * be committed per (chain, key, kind, level, round), and the one committed is the only one
 * that may leave. `read` may answer from a recent view (a cache), never from anything that
 * was not durably committed. Stores throw STORE_UNAVAILABLE when they cannot reach their
 * storage and STORE_CORRUPT when stored state cannot be read; they never lower a stored mark.
 */
export interface WatermarkStore {
  readonly name: string;
  read(key: WatermarkKey): Promise<StoredWatermark | undefined>;
  commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult>;
  list(): Promise<readonly WatermarkEntry[]>;
  /**
   * Optional: `commit` in two steps, so that a store's slow durable writing may overlap the
   * verification of the signature it stores. It may start writing at once, but only durably
   * and invisibly (e.g. a temporary file): the mark counts only through `complete()`, which the
   * SignerService calls once the signature has verified, and `abandon()` otherwise. A store
   * without it is committed to after the verification, as `commit`.
   */
  prepareCommit?(key: WatermarkKey, signed: SignedMark): PreparedCommit;
  /**
   * Raise stored marks to the given ones (migration between stores); never lowers one.
   * Returns the keys whose mark was raised.
   */
  importEntries?(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]>;
  close?(): Promise<void>;
}
