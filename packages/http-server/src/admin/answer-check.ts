import type { ApprovalVerifier } from '@tezsigner/core';
import type { PendingRequest } from './pending-confirmations.js';

/** An operator's answer to one held request, as `tezsigner confirm` sends it. */
export interface Answer {
  readonly approve: boolean;
  /** who answered, as they say (an approver key's signature replaces it with the key) */
  readonly by: string;
  /** the held request, by its id */
  readonly request: string;
  /** the key and the hash of the bytes the person was shown, as their confirm decoded them */
  readonly key: string;
  readonly hash: string;
  /** with approver keys: the signature of the approval statement, and until when it holds */
  readonly signature?: string;
  readonly expires?: number;
}

export interface AnswerContext {
  /** this signer instance (see PendingConfirmations.instance) */
  readonly instance: string;
  /** the request held with the answer's id, if any */
  readonly held: PendingRequest | undefined;
  readonly approvals: ApprovalVerifier | undefined;
  readonly now: number;
}

/** Who answered (`approver tz1…` when an approver key signed it), and why it decides nothing, if it does not. */
export interface CheckedAnswer {
  readonly by: string;
  readonly refused?: string;
}

/**
 * Whether an answer decides the request it names: only when that request is still held, for
 * that key, with bytes of that hash, and (an approval, with approver keys) signed by an
 * approver key for this signer instance, request, key, chain, hash and an expiry not past. An
 * answer that names anything else decides nothing: a relay between confirm and the signer can
 * then withhold or delay an answer, never make it approve bytes nobody was shown.
 */
export function checkAnswer(answer: Answer, { instance, held, approvals, now }: AnswerContext): CheckedAnswer {
  const { approve, request, key, hash, signature, expires } = answer;
  let approver: string | undefined;
  if (approve && approvals !== undefined && held !== undefined && signature !== undefined && expires !== undefined) {
    approver = approvals({ signer: instance, request, key, ...(held.chain === undefined ? {} : { chain: held.chain }), hash, expires }, signature);
  }
  const by = approver === undefined ? answer.by : `approver ${approver}`;
  const refuse = (why: string): CheckedAnswer => ({ by, refused: why });
  if (held === undefined) return refuse(`no request ${request} is held here (answered already, timed out, its client went away, or the signer restarted)`);
  if (held.key !== key) return refuse(`request ${request} is for ${held.key}, not ${key}`);
  if (held.hash !== hash) {
    return refuse(`request ${request} holds bytes whose hash is ${held.hash}, not ${hash}: what was shown is not what this signer holds (is something relaying the admin socket?)`);
  }
  if (!approve || approvals === undefined) return { by };
  if (signature === undefined || expires === undefined) return refuse('this signer takes only approvals signed by an approver key: tezsigner confirm --approver-key <file>');
  if (approver === undefined) return refuse(`the approval is not signed by an approver key for this signer instance, request ${request}, key ${key}, its chain, hash ${hash} and that expiry`);
  if (expires <= now) {
    return refuse(`the approval expired at ${new Date(expires).toISOString()} (this signer's clock reads ${new Date(now).toISOString()}): answer again, and check both clocks if it keeps happening`);
  }
  return { by };
}
