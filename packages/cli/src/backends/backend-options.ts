/**
 * The command-line options that choose and configure where keys and watermarks live. Each
 * backend reads its own options from here; backends added later (Azure) add their fields.
 */
export interface BackendOptions {
  /** --home: the tezsigner home (local keys, file watermarks) */
  readonly home?: string;
  /** --vault: which key provider signs (`local` by default) */
  readonly vault: string;
  /** --watermark-store: where high watermarks live (`file` by default) */
  readonly watermarkStore: string;
  /** --passphrase-file: the local vault's passphrase */
  readonly passphraseFile?: string;
  /**
   * set by the commands that add keys: only they create a missing home for the local vault;
   * serving or listing keys from a home that does not exist is refused, so a mistyped --home
   * is noticed
   */
  readonly createHome?: boolean;
  /**
   * set by the commands that only read watermarks: the file store then refuses a missing home
   * instead of creating it (a signer creates it to store its first watermark)
   */
  readonly readOnly?: boolean;
  /**
   * set by a dry run: nothing on disk is changed, not even the mode of a home, key or
   * watermark folder too open (said in a warning instead of restricted)
   */
  readonly dryRun?: boolean;
  /**
   * set by serve: the local vault opens one key at start and the others in the background,
   * a request for a key still closed opening it first
   */
  readonly openKeysInBackground?: boolean;
  readonly [option: string]: unknown;
}
