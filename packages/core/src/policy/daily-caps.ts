import type { Policy, PolicyLimits } from './model.js';

/** The rolling 24 h caps, by their name in a policy file. */
export const DAILY_CAPS = ['max_amount_24h', 'max_fee_24h'] as const;
export type DailyCap = (typeof DAILY_CAPS)[number];

const FIELD: Readonly<Record<DailyCap, 'maxAmount24h' | 'maxFee24h'>> = { max_amount_24h: 'maxAmount24h', max_fee_24h: 'maxFee24h' };

/**
 * The 24 h caps that bind `pkh` (mutez): each from the key's own section, else from the
 * default, as evaluatePolicy applies them. A cap no section sets is absent.
 */
export function dailyCaps(policy: Policy, pkh: string): Partial<Record<DailyCap, bigint>> {
  const sections: (PolicyLimits | undefined)[] = [policy.keys?.[pkh]?.limits, policy.default?.limits];
  const caps: Partial<Record<DailyCap, bigint>> = {};
  for (const cap of DAILY_CAPS) {
    const value = sections.map((limits) => limits?.[FIELD[cap]]).find((set) => set !== undefined);
    if (value !== undefined) caps[cap] = value;
  }
  return caps;
}
