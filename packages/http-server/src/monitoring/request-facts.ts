import { decodeAddress, parseRequest, watermarkOf, type SigningRequest } from '@tezsigner/core';
import type { RequestFacts } from './request-log.js';

/** The kind, level and round of a request, for its log line. */
export function factsOf(request: SigningRequest): RequestFacts {
  const mark = watermarkOf(request);
  return { kind: request.kind, ...(mark === undefined ? {} : { level: mark.level, round: mark.round }) };
}

/**
 * What the bytes of a refused request were, so its log line says which block or attestation was
 * refused as a signed one would; nothing when they do not even parse (the refusal says why).
 */
export function factsOfBytes(pkh: string, bytes: Uint8Array): RequestFacts {
  try {
    return factsOf(parseRequest(bytes, decodeAddress(pkh).curve));
  } catch {
    return {};
  }
}
