import { b58cEncode } from '@tezsigner/core';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** octez's Chain_id.pp_short: the first 13 characters of the b58 chain id (10 plus its 3 prefix bytes, lib_crypto/helpers.ml) */
export const SHORT_CHAIN_ID = /^Net[1-9A-HJ-NP-Za-km-z]{10}$/;

const NET_PREFIX = [87, 82, 0];

const numberOf = (text: string): bigint => [...text].reduce((n, c) => n * 58n + BigInt(ALPHABET.indexOf(c)), 0n);

/**
 * The chain id whose b58 form begins with `short`, where exactly one does. A chain id is 15
 * characters: 3 prefix bytes, 4 of chain id and a 4-byte checksum, so the two characters left
 * out span fewer than 2^32 values and leave at most two chain ids to try; of those, the one
 * whose own checksum puts it under the same 13 characters is the chain (the other, if any,
 * would have to match by a 1-in-millions chance, and is then refused as ambiguous).
 */
export function chainIdOfShort(short: string): string | undefined {
  if (!SHORT_CHAIN_ID.test(short)) return undefined;
  const lowest = numberOf(`${short}11`) >> 32n;
  const highest = numberOf(`${short}zz`) >> 32n;
  const found: string[] = [];
  for (let head = lowest; head <= highest; head += 1n) {
    const bytes = Uint8Array.from({ length: 7 }, (_, i) => Number((head >> BigInt(8 * (6 - i))) & 0xffn));
    if (!NET_PREFIX.every((byte, i) => bytes[i] === byte)) continue;
    const chainId = b58cEncode(bytes.subarray(3), 'Net');
    if (chainId.startsWith(short)) found.push(chainId);
  }
  return found.length === 1 ? found[0] : undefined;
}
