import { TezsignerError, isAddress } from '@tezsigner/core';

// Every signing request names its key; a signer serves a few, a bakery hundreds (kept fewer, a
// level's requests would clear them and decode every address again). Addresses found valid are
// kept (a base58check decoding is two SHA-256 and a base conversion), only valid ones, and boundedly.
export const VALID_KEPT = 4096;
const valid = new Set<string>();

/** The `<pkh>` of a path, checked before anything looks it up. */
export function addressParam(value: string | undefined): string {
  if (value !== undefined && valid.has(value)) return value;
  if (value === undefined || !isAddress(value)) {
    throw new TezsignerError(
      'INVALID_ENCODING',
      `${JSON.stringify(value ?? '')} is not a Tezos address (tz1…, tz2…, tz3… or tz4…)`,
    );
  }
  if (valid.size >= VALID_KEPT) valid.clear();
  valid.add(value);
  return value;
}
