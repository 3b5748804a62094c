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
   * set by the commands that store keys or watermarks: only they create a missing home; the
   * others refuse it, so a mistyped --home is noticed
   */
  readonly createHome?: boolean;
  readonly [option: string]: unknown;
}
