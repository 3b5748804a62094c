import type { ServerResponse } from 'node:http';
import type { SignerMetrics } from './metrics.js';
import { requestFacts } from './request-log.js';

/** Counts and times a signing request (POST /keys/<pkh>), once it is settled (whenSettled). */
export function countRequest(metrics: SignerMetrics, res: ServerResponse, seconds: number): void {
  const facts = requestFacts(res);
  metrics.observeRequest(res.writableFinished ? facts : { ...facts, outcome: 'client_gone' }, seconds);
  if (facts.outcome === 'signed' && facts.pkh !== undefined && facts.kind !== undefined && facts.level !== undefined) {
    metrics.observeHighWatermark(facts.pkh, facts.kind, facts.level, facts.round ?? 0);
  }
}
