import { ANY_OPERATION, BAKER_DEFAULT_POLICY, stricter, type KeyPolicy, type Policy, type PolicyDecision, type PolicyLimits } from './model.js';
import { describePolicyKind } from './from-magic-bytes.js';
import type { RequestFacts } from './facts.js';
import { checkLimits, type Spent } from './limits.js';

interface Section {
  readonly name: string;
  readonly rules: KeyPolicy;
}

const BUILT_IN: Section = { name: 'baker_default', rules: BAKER_DEFAULT_POLICY };

/** The sections that speak for a key, most specific first. */
function sectionsFor(policy: Policy, pkh: string): Section[] {
  const sections: Section[] = [];
  const own = policy.keys?.[pkh];
  if (own !== undefined) sections.push({ name: `keys.${pkh}`, rules: own });
  if (policy.default !== undefined) sections.push({ name: 'default', rules: policy.default });
  return sections;
}

function kindDecision(sections: readonly Section[], facts: RequestFacts): PolicyDecision {
  if (facts.kind !== 'operation') {
    const kind = facts.kind;
    for (const { name, rules } of [...sections, BUILT_IN]) {
      const verdict = rules.kinds?.[kind];
      if (verdict !== undefined) return { verdict, rule: `${name}.${kind}`, reason: `${describePolicyKind(kind)}: ${verdict}` };
    }
    return { verdict: 'deny', rule: `${BUILT_IN.name}.${kind}`, reason: `${describePolicyKind(kind)} are not signed unless a policy allows them` };
  }
  let decision: PolicyDecision | undefined;
  for (const op of facts.operations) {
    const found = operationDecision(sections, op.kind);
    decision = decision === undefined ? found : stricter(decision, found);
  }
  return decision ?? { verdict: 'deny', rule: `${BUILT_IN.name}.operations`, reason: 'an operation without contents' };
}

function operationDecision(sections: readonly Section[], kind: string): PolicyDecision {
  for (const { name, rules } of sections) {
    for (const named of [kind, ANY_OPERATION]) {
      const verdict = rules.operations?.[named];
      if (verdict !== undefined) return { verdict, rule: `${name}.operations.${named}`, reason: `${describePolicyKind('operation', kind)}: ${verdict}` };
    }
  }
  return { verdict: 'deny', rule: `${BUILT_IN.name}.operations`, reason: `${describePolicyKind('operation', kind)} are not signed unless a policy allows them` };
}

/**
 * Limits of the key's own section, then those of the default it leaves unset (a key that sets
 * `destinations` replaces the default's list, it does not add to it).
 */
function limitDecision(sections: readonly Section[], facts: RequestFacts, spent: Spent): PolicyDecision | undefined {
  const exceeded = sections.map((section) => section.rules.limits?.exceeded).find((value) => value !== undefined);
  const taken = new Set<string>();
  for (const { name, rules } of sections) {
    const limits: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(rules.limits ?? {})) {
      if (field === 'exceeded' || value === undefined || taken.has(field)) continue;
      taken.add(field);
      limits[field] = value;
    }
    const breach = checkLimits({ ...(limits as PolicyLimits), ...(exceeded === undefined ? {} : { exceeded }) }, name, facts, spent);
    if (breach !== undefined) return breach;
  }
  return undefined;
}

/**
 * What the policy says of one request by `pkh`: the verdict of its kind (for an operation, the
 * strictest of its contents), made stricter by the first limit it goes past. `spent` is what
 * the key spent over the last 24 hours before this request. Pure: the same inputs, the same
 * decision, so a held request can be judged again when a person approves it.
 */
export function evaluatePolicy(policy: Policy, pkh: string, facts: RequestFacts, spent: Spent): PolicyDecision {
  const sections = sectionsFor(policy, pkh);
  const decision = kindDecision(sections, facts);
  if (decision.verdict === 'deny') return decision;
  const breach = limitDecision(sections, facts, spent);
  return breach === undefined ? decision : stricter(decision, breach);
}
