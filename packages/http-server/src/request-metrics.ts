import type { NextFunction, Request, Response } from 'express';
import type { SignerMetrics } from './metrics.js';
import { requestFacts, whenSettled } from './request-log.js';

/** Counts and times every signing request (POST /keys/<pkh>) when it is answered. */
export function requestMetrics(metrics: SignerMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    whenSettled(res, (seconds) => {
      const facts = requestFacts(res);
      metrics.observeRequest(res.writableFinished ? facts : { ...facts, outcome: 'client_gone' }, seconds);
      if (facts.outcome === 'signed' && facts.pkh !== undefined && facts.kind !== undefined && facts.level !== undefined) {
        metrics.observeHighWatermark(facts.pkh, facts.kind, facts.level, facts.round ?? 0);
      }
    });
    next();
  };
}
