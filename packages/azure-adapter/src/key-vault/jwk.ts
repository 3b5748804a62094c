import { invalidEncoding } from '@tezsigner/core';

/**
 * The 33-byte compressed form (SEC 1: 02/03 by the parity of y, then x) of a JWK point, which
 * is what Tezos hashes into tz2/tz3 addresses. Whether the point is on the curve is checked by
 * core when the key is encoded.
 */
export function compressJwkPoint(x: Uint8Array | undefined, y: Uint8Array | undefined): Uint8Array {
  if (x?.length !== 32 || y?.length !== 32) {
    throw invalidEncoding(`an EC public key needs 32-byte x and y, got ${x?.length ?? 0} and ${y?.length ?? 0} bytes`);
  }
  const compressed = new Uint8Array(33);
  compressed[0] = 0x02 | ((y[31] as number) & 1);
  compressed.set(x, 1);
  return compressed;
}
