/**
 * A signing policy: per key (or a default), per kind of request, whether to sign at once
 * (`allow`), wait for a person (`confirm`) or refuse (`deny`), with limits that turn an `allow`
 * into a `confirm` or a `deny` when a request goes past them. Pure data; `evaluatePolicy` reads it.
 */
export type Verdict = 'allow' | 'confirm' | 'deny';
export const VERDICTS: readonly Verdict[] = ['allow', 'confirm', 'deny'];

/** Request kinds a policy names directly; generic operations (0x03) are named by operation kind. */
export const POLICY_REQUEST_KINDS = ['block', 'preattestation', 'attestation', 'michelson_data', 'legacy_block', 'legacy_endorsement'] as const;
export type PolicyRequestKind = (typeof POLICY_REQUEST_KINDS)[number];

/** In `operations`, the verdict for every operation kind not listed. */
export const ANY_OPERATION = '*';

export interface PolicyLimits {
  /** mutez per operation (all contents of one signed operation added up) */
  readonly maxAmount?: bigint | undefined;
  readonly maxFee?: bigint | undefined;
  /** mutez per key over the last 24 hours, this operation included */
  readonly maxAmount24h?: bigint | undefined;
  readonly maxFee24h?: bigint | undefined;
  /** transaction destinations: `tz1…`/`KT1…` (any entrypoint) or `KT1…%entrypoint` */
  readonly destinations?: readonly string[] | undefined;
  /** delegates a delegation may name */
  readonly delegates?: readonly string[] | undefined;
  /** chains a block or (pre)attestation may be for */
  readonly chainIds?: readonly string[] | undefined;
  /** what a request past a limit becomes (a denied request stays denied) */
  readonly exceeded?: 'confirm' | 'deny' | undefined;
}

export interface KeyPolicy {
  readonly kinds?: Readonly<Partial<Record<PolicyRequestKind, Verdict>>> | undefined;
  /** by octez operation kind ("transaction", "delegation", …), or `*` for the others */
  readonly operations?: Readonly<Record<string, Verdict>> | undefined;
  readonly limits?: PolicyLimits | undefined;
}

export interface Policy {
  /** where the rules come from, for rule names ("policy.yaml", "--magic-bytes") */
  readonly source: string;
  /** rules for every key not listed in `keys`, and for what a listed key leaves unset */
  readonly default?: KeyPolicy | undefined;
  /** by tz address */
  readonly keys?: Readonly<Record<string, KeyPolicy>> | undefined;
}

/** A baker's signer: consensus signed at once, everything else refused. */
export const BAKER_DEFAULT_POLICY: KeyPolicy = Object.freeze({
  kinds: Object.freeze({ block: 'allow', preattestation: 'allow', attestation: 'allow' }),
});

/** The verdict for a request, and the rule that gave it (e.g. `keys.tz1….limits.max_amount`). */
export interface PolicyDecision {
  readonly verdict: Verdict;
  readonly rule: string;
  /** for people: why this rule applied */
  readonly reason: string;
}

const STRICTNESS: Record<Verdict, number> = { allow: 0, confirm: 1, deny: 2 };

/** The stricter of two decisions; the first on a tie, so the earliest rule is named. */
export function stricter(a: PolicyDecision, b: PolicyDecision): PolicyDecision {
  return STRICTNESS[b.verdict] > STRICTNESS[a.verdict] ? b : a;
}

/** Whether any rule can hold a request for a person (so a signer needs its admin channel). */
export function policyMayConfirm(policy: Policy): boolean {
  const sections = [policy.default, ...Object.values(policy.keys ?? {})];
  return sections.some(
    (section) =>
      section?.limits?.exceeded === 'confirm' ||
      Object.values(section?.kinds ?? {}).includes('confirm') ||
      Object.values(section?.operations ?? {}).includes('confirm'),
  );
}
