import type { ServerResponse } from 'node:http';
import type { SignerMetrics } from './metrics.js';
import { requestFacts, whenSettled } from './request-log.js';

/** Counts and times a signing request (POST /keys/<pkh>) when it is answered. */
export function countWhenSettled(metrics: SignerMetrics, res: ServerResponse): void {
  whenSettled(res, (seconds) => {
    const facts = requestFacts(res);
    metrics.observeRequest(res.writableFinished ? facts : { ...facts, outcome: 'client_gone' }, seconds);
    if (facts.outcome === 'signed' && facts.pkh !== undefined && facts.kind !== undefined && facts.level !== undefined) {
      metrics.observeHighWatermark(facts.pkh, facts.kind, facts.level, facts.round ?? 0);
    }
  });
}
