import type { Policy, PolicyLimits } from './model.js';

/** A policy section whose amounts are capped and whose fees are not. */
export interface UnboundedFees {
  /** `default` or `keys.<pkh>` */
  readonly section: string;
  /** the fee limit it must set */
  readonly missing: 'max_fee' | 'max_fee_24h';
  readonly reason: string;
}

/**
 * Amount caps leave fees out (they count what is sent, burnt and locked), so a key whose
 * amounts are capped and whose fees are not can pay any fee: a 1 ꜩ transfer with a 90,000 ꜩ
 * fee passes `max_amount`, and any number of them pass `max_amount_24h`. A section (with the
 * default's limits it leaves unset, as evaluation reads them) that caps amounts per operation
 * or over 24 h must cap fees the same way. Returns the first that does not.
 */
export function unboundedFees(policy: Policy): UnboundedFees | undefined {
  const inherited = policy.default?.limits ?? {};
  const sections: Array<[string, PolicyLimits]> = [
    ...(policy.default === undefined ? [] : [['default', inherited] as [string, PolicyLimits]]),
    ...Object.entries(policy.keys ?? {}).map(([pkh, rules]) => [`keys.${pkh}`, { ...inherited, ...rules.limits }] as [string, PolicyLimits]),
  ];
  for (const [section, limits] of sections) {
    if (limits.maxAmount !== undefined && limits.maxFee === undefined) {
      return { section, missing: 'max_fee', reason: 'max_amount caps what one operation sends, burns and locks, not its fees, so without max_fee an operation can pay any fee: set max_fee too' };
    }
    if (limits.maxAmount24h !== undefined && limits.maxFee24h === undefined) {
      return { section, missing: 'max_fee_24h', reason: 'max_amount_24h caps what the key sends, burns and locks over 24 h, not its fees, so without max_fee_24h the fees over 24 h have no bound: set max_fee_24h too' };
    }
  }
  return undefined;
}
