import type { SigningRequest } from '../request/parse.js';

/** A request about to be signed, once read and before any watermark or signature. */
export interface GateRequest {
  readonly pkh: string;
  readonly request: SigningRequest;
  /** the bytes `request` was read from, magic byte first */
  readonly bytes: Uint8Array;
  /** BLAKE2b-256 of the request bytes */
  readonly digest: Uint8Array;
  /** aborts when the client is gone: a request held for a person is then dropped */
  readonly gone?: AbortSignal | undefined;
}

/**
 * What decides whether a request is signed: `admit` resolves to let it through and throws
 * (POLICY_DENIED) to refuse it. It may wait (for a person's confirmation): SignerService calls
 * it before it touches watermarks or queues anything per key, so a waiting request holds up
 * nothing else.
 */
export interface Gatekeeper {
  admit(request: GateRequest): Promise<void>;
}
