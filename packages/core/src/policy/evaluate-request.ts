import type { SigningRequest } from '../request/parse.js';
import { evaluatePolicy } from './evaluation.js';
import { requestFacts } from './facts.js';
import type { Spent } from './limits.js';
import type { Policy, PolicyDecision } from './model.js';

const NOTHING_SPENT: Spent = Object.freeze({ amount: 0n, fee: 0n });

/** The refusal of what is never signed for clients, whatever a policy says: authentication requests. */
export const neverSigned = (kind: string): PolicyDecision => ({ verdict: 'deny', rule: 'never_signed', reason: `${kind} requests are never signed for clients` });

/**
 * What `policy` says of a request by `pkh` (a request read with parseRequest). The facts a policy
 * reads are built here, so they cannot be got wrong by hand: what each operation can take at worst
 * counts against amount caps (sent, burnt for storage, locked as a bond), and its fee against fee
 * caps. `spent` is what the key spent over the 24 hours before this request; without it a 24 h
 * cap counts this request alone (PolicyGatekeeper keeps the 24 h totals in a SpendingLedger).
 */
export function evaluateRequest(policy: Policy, pkh: string, request: SigningRequest, spent: Spent = NOTHING_SPENT): PolicyDecision {
  const facts = requestFacts(request);
  return facts === undefined ? neverSigned(request.kind) : evaluatePolicy(policy, pkh, facts, spent);
}
