import type { SignerService } from '@tezsigner/core';
import type { Logger } from 'pino';
import type { SignerMetrics } from './monitoring/metrics.js';

/** What the HTTP server needs from core: the signing pipeline, nothing else. */
export type SigningService = Pick<SignerService, 'listKeys' | 'getPublicKey' | 'sign' | 'proveProofOfPossession'>;

export interface SignerAppOptions {
  readonly signer: SigningService;
  /**
   * Public keys (edpk/sppk/p2pk/BLpk) allowed to authenticate signing requests; when not
   * empty, every `POST /keys/<pkh>` must carry `?authentication=`.
   */
  readonly authorizedKeys?: readonly string[] | undefined;
  /** serve `GET /known_keys` (octez `--allow-list-known-keys`) */
  readonly allowListKnownKeys?: boolean | undefined;
  /** serve `GET /bls_prove_possession/<tz4>` (octez `--allow-to-prove-possession`) */
  readonly allowProvePossession?: boolean | undefined;
  /** one line per request goes here; silent when absent */
  readonly logger?: Logger | undefined;
  /** largest accepted body; the default fits the largest operation octez accepts */
  readonly bodyLimitBytes?: number | undefined;
  /** chain ids (Net…) consensus may be signed for; empty or absent: any chain */
  readonly allowedChainIds?: readonly string[] | undefined;
  /** signing requests are counted and timed here when given */
  readonly metrics?: SignerMetrics | undefined;
}

/**
 * octez refuses operations over 32 KiB; hex doubles that, plus the JSON quotes and some room
 * for whitespace.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 32 * 1024 + 1024;
