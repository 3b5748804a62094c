import { TezsignerError, decodeAddress, parseRequest, watermarkOf, type SigningRequest } from '@tezsigner/core';

/**
 * The chains this signer signs consensus for. Every (chain, key, kind) a request names becomes
 * a watermark entry, so with no list anyone who may sign could grow the store without bound;
 * the check runs before the signer sees the request, so a refused chain leaves no state.
 * Empty means any chain.
 */
export function checkChainAllowed(allowed: ReadonlySet<string>, pkh: string, bytes: Uint8Array): SigningRequest | undefined {
  if (allowed.size === 0) return undefined;
  const request = parseRequest(bytes, decodeAddress(pkh).curve);
  const mark = watermarkOf(request);
  if (mark !== undefined && !allowed.has(mark.chainId)) {
    throw new TezsignerError('POLICY_DENIED', `chain ${mark.chainId} is not one this signer signs for`);
  }
  return request;
}
