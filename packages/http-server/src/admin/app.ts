import { timingSafeEqual } from 'node:crypto';
import { TezsignerError } from '@tezsigner/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { HttpError, errorResponse } from '../answers/error-status.js';
import type { PendingRequest } from './pending-confirmations.js';

/** What the admin channel works on: the requests held for a person. */
export interface PendingQueue {
  list(): readonly PendingRequest[];
  decide(id: string, approve: boolean, by: string): boolean;
}

/** A held request as `GET /pending` lists it. */
export interface PendingView {
  readonly id: string;
  readonly key: string;
  readonly kind: string;
  readonly chain?: string;
  readonly summary: string;
  readonly hash: string;
  readonly rule: string;
  readonly reason: string;
  /** ISO 8601 */
  readonly received_at: string;
  readonly age_ms: number;
}

const decisionSchema = z.strictObject({ approve: z.boolean(), by: z.string().min(1).max(100) });

/**
 * The operator's side of confirmations: `GET /pending` lists held requests oldest first,
 * `POST /pending/<id>` with `{"approve": true|false, "by": "<who>"}` answers one. Every call
 * carries `Authorization: Bearer <token>`, the token the signer wrote 0600 in its home.
 */
export function createAdminApp(options: { token: string; pending: PendingQueue; now?: () => number }): Express {
  const now = options.now ?? Date.now;
  const expected = Buffer.from(options.token);
  const app = express();
  app.disable('x-powered-by');
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (header === undefined) throw new TezsignerError('AUTH_REQUIRED', 'send the admin token as Authorization: Bearer <token>');
    const given = Buffer.from(header.replace(/^Bearer /, ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TezsignerError('AUTH_INVALID', 'wrong admin token');
    next();
  });
  app.use(express.json());
  app.get('/pending', (_req, res) => {
    const at = now();
    const pending: PendingView[] = options.pending.list().map((request) => ({
      id: request.id,
      key: request.key,
      kind: request.kind,
      ...(request.chain === undefined ? {} : { chain: request.chain }),
      summary: request.summary,
      hash: request.hash,
      rule: request.rule,
      reason: request.reason,
      received_at: new Date(request.receivedAt).toISOString(),
      age_ms: at - request.receivedAt,
    }));
    res.json({ pending });
  });
  app.post('/pending/:id', (req, res) => {
    const decision = decisionSchema.safeParse(req.body);
    if (!decision.success) throw new TezsignerError('BAD_REQUEST', 'send {"approve": true|false, "by": "<who>"}');
    const { approve, by } = decision.data;
    if (!options.pending.decide(req.params.id, approve, by)) {
      throw new HttpError('NOT_FOUND', `request ${req.params.id} is not pending (answered, or timed out)`);
    }
    res.json({ id: req.params.id, approved: approve });
  });
  app.use(() => {
    throw new HttpError('NOT_FOUND', 'no such admin endpoint');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponse(err);
    res.status(status).json(body);
  });
  return app;
}
