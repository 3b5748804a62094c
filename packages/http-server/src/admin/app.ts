import { timingSafeEqual } from 'node:crypto';
import { TezsignerError, type ApprovalVerifier } from '@tezsigner/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { HttpError, errorResponse } from '../answers/error-status.js';
import type { PendingRequest } from './pending-confirmations.js';

/** What the admin channel works on: the requests held for a person. */
export interface PendingQueue {
  list(): readonly PendingRequest[];
  decide(hash: string, approve: boolean, by: string): number;
  denyAll(by: string): number;
}

/** A held request as `GET /pending` lists it. */
export interface PendingView {
  readonly id: string;
  readonly key: string;
  readonly kind: string;
  readonly chain?: string | undefined;
  /** an operation's branch: its bytes name no chain */
  readonly branch?: string | undefined;
  readonly summary: string;
  /** what an answer names (or a prefix of at least 16 digits) */
  readonly hash: string;
  /** mutez, as decimal text: taken at worst (sent, burnt, locked), and fees, all contents together */
  readonly totals?: { readonly amount: string; readonly fee: string } | undefined;
  /** the decoded operation, whole (every parameter) */
  readonly details?: unknown;
  readonly rule: string;
  readonly reason: string;
  /** ISO 8601 */
  readonly received_at: string;
  readonly age_ms: number;
}

export interface AdminAppOptions {
  readonly token: string;
  readonly pending: PendingQueue;
  /** when set, an approval must be signed by one of the approver keys (refusals need not be) */
  readonly approvals?: ApprovalVerifier | undefined;
  readonly now?: (() => number) | undefined;
}

const decisionSchema = z.strictObject({ approve: z.boolean(), by: z.string().min(1).max(100), signature: z.string().max(400).optional() });
const denyAllSchema = z.strictObject({ by: z.string().min(1).max(100) });

function view(request: PendingRequest, at: number): PendingView {
  return {
    id: request.id,
    key: request.key,
    kind: request.kind,
    ...(request.chain === undefined ? {} : { chain: request.chain }),
    ...(request.branch === undefined ? {} : { branch: request.branch }),
    summary: request.summary,
    hash: request.hash,
    ...(request.totals === undefined ? {} : { totals: { amount: request.totals.amount.toString(), fee: request.totals.fee.toString() } }),
    ...(request.details === undefined ? {} : { details: request.details }),
    rule: request.rule,
    reason: request.reason,
    received_at: new Date(request.receivedAt).toISOString(),
    age_ms: at - request.receivedAt,
  };
}

/**
 * The operator's side of confirmations: `GET /pending` lists held requests oldest first,
 * `POST /pending/<hash>` with `{"approve": true|false, "by": "<who>"}` answers the request with
 * that hash (an answer names the bytes shown, never a place in a list), `POST /deny-all` with
 * `{"by": "<who>"}` refuses them all. Every call carries `Authorization: Bearer <token>`. With
 * approver keys, an approval also carries `signature`: the approver key's signature of
 * `approvalBytes(hash)`, and is recorded as that key's.
 */
export function createAdminApp(options: AdminAppOptions): Express {
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
    res.json({ pending: options.pending.list().map((request) => view(request, at)), approver_keys: options.approvals !== undefined });
  });
  app.post('/pending/:hash', (req, res) => {
    const decision = decisionSchema.safeParse(req.body);
    if (!decision.success) throw new TezsignerError('BAD_REQUEST', 'send {"approve": true|false, "by": "<who>"} (and "signature" with approver keys)');
    const { approve, signature } = decision.data;
    let { by } = decision.data;
    const hash = req.params.hash.toLowerCase();
    if (approve && options.approvals !== undefined) by = approver(options.approvals, options.pending.list(), hash, signature);
    const answered = options.pending.decide(hash, approve, by);
    if (answered === 0) throw new HttpError('NOT_FOUND', `no request with hash ${hash} is pending (answered, timed out, or its client went away)`);
    res.json({ hash, approved: approve, answered });
  });
  app.post('/deny-all', (req, res) => {
    const decision = denyAllSchema.safeParse(req.body);
    if (!decision.success) throw new TezsignerError('BAD_REQUEST', 'send {"by": "<who>"}');
    res.json({ refused: options.pending.denyAll(decision.data.by) });
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

/** The approver whose signature approves the pending request `prefix` names; AUTH_INVALID otherwise. */
function approver(verify: ApprovalVerifier, pending: readonly PendingRequest[], prefix: string, signature: string | undefined): string {
  if (signature === undefined) throw new TezsignerError('AUTH_REQUIRED', 'this signer takes only approvals signed by an approver key: tezsigner confirm --approver-key <file>');
  const hashes = new Set(pending.filter((request) => request.hash.startsWith(prefix)).map((request) => request.hash));
  // none, or several (decide refuses an ambiguous prefix): nothing to check the signature against
  const [hash] = hashes;
  if (hash === undefined || hashes.size > 1) return 'nobody';
  const by = verify(hash, signature);
  if (by === undefined) throw new TezsignerError('AUTH_INVALID', `the approval of ${hash} is not signed by an approver key`);
  return `approver ${by}`;
}
