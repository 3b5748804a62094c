import type { DecodedRequest } from './decoded-request.js';

/** The shortest hash prefix an answer may name: 64 bits, which nobody can aim a request at. */
export const MIN_HASH_PREFIX = 16;

const ANSWER = new RegExp(`^(?:([0-9a-f]{16}):)?([0-9a-f]{${MIN_HASH_PREFIX},64})$`);

/** The one held request an `--approve`/`--deny` names, or why it names none. */
export type AnswerTarget = { readonly held: DecodedRequest } | { readonly problem: string };

/**
 * Finds the held request `given` names: `<hash>` (of the bytes, as confirm computes it, or its
 * first 16+ digits) when one request holds those bytes, `<id>:<hash>` when several do (the
 * same bytes for two keys, or sent twice). An answer is for one request: when several match,
 * it names none and says how to name one.
 */
export function findTarget(given: string, held: readonly DecodedRequest[]): AnswerTarget {
  const match = ANSWER.exec(given.toLowerCase());
  if (match === null) {
    return { problem: `name a held request by the hash tezsigner confirm shows (at least ${MIN_HASH_PREFIX} hex digits), or as <id>:<hash> when several hold the same bytes` };
  }
  const [, id, hash = ''] = match;
  const matching = held.filter((request) => request.hash.startsWith(hash) && (id === undefined || request.id === id));
  const [only] = matching;
  if (only === undefined) {
    return { problem: `no request held ${id === undefined ? '' : `with id ${id} `}has bytes with that hash (answered already, timed out, its client went away, or no such hash)` };
  }
  if (matching.length === 1) return { held: only };
  if (matching.some((request) => request.hash !== only.hash)) return { problem: `${hash} starts the hashes of several held requests: give more of it` };
  const which = matching.map((request) => `${request.id}:${request.hash} for ${request.key}`).join(', ');
  return { problem: `${matching.length} held requests have these bytes (${which}): answer one of them as <id>:<hash>` };
}
