import type { PolicyDecision, PolicyLimits } from './model.js';
import { totals, type RequestFacts } from './facts.js';
import { formatTez } from '../operation/tez-amount.js';

/** What the key spent over the last 24 hours (before this request). */
export interface Spent {
  readonly amount: bigint;
  readonly fee: bigint;
}

/** A limit a request went past: the rule's name (under `limits.`) and why. */
export interface LimitBreach {
  readonly limit: string;
  readonly reason: string;
}

type LimitRule = (limits: PolicyLimits, facts: RequestFacts, spent: Spent) => LimitBreach | undefined;

const chainIds: LimitRule = ({ chainIds: allowed }, facts) => {
  if (allowed === undefined || facts.chainId === undefined || allowed.includes(facts.chainId)) return undefined;
  return { limit: 'chain_ids', reason: `chain ${facts.chainId} is not one of ${allowed.join(', ')}` };
};

/** `KT1…%deposit` allows that entrypoint only; a bare address allows any. */
function destinationAllowed(allowed: readonly string[], destination: string, entrypoint: string | undefined): boolean {
  return allowed.some((entry) => {
    const [address, allowedEntrypoint] = entry.split('%');
    if (address !== destination) return false;
    return allowedEntrypoint === undefined || allowedEntrypoint === (entrypoint ?? 'default');
  });
}

const destinations: LimitRule = ({ destinations: allowed }, facts) => {
  if (allowed === undefined) return undefined;
  for (const op of facts.operations) {
    if (op.destination === undefined) continue;
    if (!destinationAllowed(allowed, op.destination, op.entrypoint)) {
      const target = op.entrypoint === undefined || op.entrypoint === 'default' ? op.destination : `${op.destination}%${op.entrypoint}`;
      return { limit: 'destinations', reason: `${op.kind} to ${target}, not an allowed destination` };
    }
  }
  return undefined;
};

const delegates: LimitRule = ({ delegates: allowed }, facts) => {
  if (allowed === undefined) return undefined;
  const op = facts.operations.find((candidate) => candidate.delegate !== undefined && !allowed.includes(candidate.delegate));
  return op === undefined ? undefined : { limit: 'delegates', reason: `${op.kind} to ${op.delegate}, not an allowed delegate` };
};

function cap(limit: string, what: string, value: bigint, max: bigint | undefined, window = ''): LimitBreach | undefined {
  if (max === undefined || value <= max) return undefined;
  return { limit, reason: `${what} ${formatTez(value)}${window} is over the limit of ${formatTez(max)}` };
}

/** Under an amount cap, a content whose worst case nothing bounds is past it. */
function unbounded(limit: string, max: bigint | undefined, facts: RequestFacts): LimitBreach | undefined {
  const op = facts.operations.find((candidate) => candidate.unbounded !== undefined);
  if (max === undefined || op === undefined) return undefined;
  return { limit, reason: `${op.kind} ${op.unbounded ?? ''}: no amount bounds it, so it cannot fit under ${formatTez(max)}` };
}

const perOperation: LimitRule = (limits, facts) => {
  const { amount, fee } = totals(facts);
  return (
    unbounded('max_amount', limits.maxAmount, facts) ??
    cap('max_amount', 'amount', amount, limits.maxAmount) ??
    cap('max_fee', 'fee', fee, limits.maxFee)
  );
};

const perDay: LimitRule = (limits, facts, spent) => {
  const { amount, fee } = totals(facts);
  return (
    unbounded('max_amount_24h', limits.maxAmount24h, facts) ??
    cap('max_amount_24h', 'amount', spent.amount + amount, limits.maxAmount24h, ' over 24 h') ??
    cap('max_fee_24h', 'fee', spent.fee + fee, limits.maxFee24h, ' over 24 h')
  );
};

/** Every limit, in the order a refusal names them. */
export const LIMIT_RULES: readonly LimitRule[] = [chainIds, destinations, delegates, perOperation, perDay];

/** The first limit the request goes past, as the decision it turns into. */
export function checkLimits(limits: PolicyLimits, section: string, facts: RequestFacts, spent: Spent): PolicyDecision | undefined {
  for (const rule of LIMIT_RULES) {
    const breach = rule(limits, facts, spent);
    if (breach !== undefined) {
      return { verdict: limits.exceeded ?? 'deny', rule: `${section}.limits.${breach.limit}`, reason: breach.reason };
    }
  }
  return undefined;
}
