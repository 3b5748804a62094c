import { DAY_MS, DAILY_CAPS, dailyCaps, type Policy, type SpendingLedger } from '@tezsigner/core';
import type { SpendingView } from '@tezsigner/http-server';

export interface SpendingGaugeSource {
  /** the ledger every signer of the keys shares, opened for the gauges alone (its reads never touch the signers' cache) */
  readonly ledger: SpendingLedger;
  readonly keys: readonly string[];
  /** the policy in force now (a reload changes the caps) */
  readonly policy: () => Policy;
  /** told once when the ledger cannot be read, and again only after it could */
  readonly onFailure: (err: unknown) => void;
  readonly now?: () => number;
}

/**
 * Reads, for the metrics, what each served key spent over the last 24 hours against each of
 * its 24 h caps: the same window and ledger the gatekeeper judges with, so an alert on the
 * ratio says how close the next operation is to being refused or held. Keys without a cap are
 * not read. Undefined when the ledger does not answer (the gauges keep their last values).
 */
export function spendingGauges(source: SpendingGaugeSource): () => Promise<readonly SpendingView[] | undefined> {
  let failing = false;
  return async () => {
    const since = (source.now ?? Date.now)() - DAY_MS;
    const policy = source.policy();
    const views: SpendingView[] = [];
    try {
      for (const key of source.keys) {
        const caps = dailyCaps(policy, key);
        if (Object.keys(caps).length === 0) continue;
        const { spent } = await source.ledger.read(key, since);
        for (const cap of DAILY_CAPS) {
          const limit = caps[cap];
          if (limit !== undefined) views.push({ key, cap, spent: Number(cap === 'max_fee_24h' ? spent.fee : spent.amount), limit: Number(limit) });
        }
      }
    } catch (err) {
      if (!failing) source.onFailure(err);
      failing = true;
      return undefined;
    }
    failing = false;
    return views;
  };
}
