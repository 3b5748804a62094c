import { timingSafeEqual } from 'node:crypto';
import { TezsignerError, bytesToHex, type ApprovalVerifier, type AuditLog } from '@tezsigner/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { HttpError, errorResponse } from '../answers/error-status.js';
import { checkAnswer, type Answer } from './answer-check.js';
import type { PendingRequest } from './pending-confirmations.js';

/** What the admin channel works on: the requests held for a person. */
export interface PendingQueue {
  /** this signer instance, random at each start: approvals name it */
  readonly instance: string;
  list(): readonly PendingRequest[];
  get(id: string): PendingRequest | undefined;
  settle(id: string, approve: boolean, by: string): boolean;
  denyAll(by: string): number;
}

/**
 * A held request as `GET /pending` lists it: its id, its key and its bytes, for `tezsigner
 * confirm` to decode and hash itself (what it shows comes from the bytes, not from the signer's
 * words, so nothing between the two can show other bytes than those an answer names), and why
 * policy holds it.
 */
export interface PendingView {
  readonly id: string;
  readonly key: string;
  /** the chain its bytes name, as the signer read them (blocks and consensus operations) */
  readonly chain?: string | undefined;
  /** hex, magic byte first, exactly as they would be signed */
  readonly bytes: string;
  readonly rule: string;
  readonly reason: string;
  /** ISO 8601 */
  readonly received_at: string;
  readonly age_ms: number;
}

/** `GET /pending` */
export interface PendingList {
  /** this signer instance (approvals name it) */
  readonly signer: string;
  /** whether approvals must be signed by an approver key */
  readonly approver_keys: boolean;
  readonly pending: readonly PendingView[];
}

/** What `POST /pending/<id>` answers: how many requests the answer decided (1, or 0 and why). */
export interface AnswerResult {
  readonly request: string;
  readonly approve: boolean;
  readonly decided: 0 | 1;
  readonly reason?: string;
}

export interface AdminAppOptions {
  readonly token: string;
  readonly pending: PendingQueue;
  /** when set, an approval must be signed by one of the approver keys (refusals need not be) */
  readonly approvals?: ApprovalVerifier | undefined;
  /** where answers that decide nothing are recorded (the signer's audit log) */
  readonly audit?: AuditLog | undefined;
  readonly now?: (() => number) | undefined;
}

const HEX = (digits: number) => new RegExp(`^[0-9a-f]{${digits}}$`);
const answerSchema = z.strictObject({
  approve: z.boolean(),
  by: z.string().min(1).max(100),
  key: z.string().min(1).max(60),
  hash: z.string().regex(HEX(64)),
  signature: z.string().max(400).optional(),
  expires: z.number().int().nonnegative().optional(),
});
const denyAllSchema = z.strictObject({ by: z.string().min(1).max(100) });

function view(request: PendingRequest, at: number): PendingView {
  return {
    id: request.id,
    key: request.key,
    ...(request.chain === undefined ? {} : { chain: request.chain }),
    bytes: bytesToHex(request.bytes),
    rule: request.rule,
    reason: request.reason,
    received_at: new Date(request.receivedAt).toISOString(),
    age_ms: at - request.receivedAt,
  };
}

/**
 * The operator's side of confirmations: `GET /pending` lists held requests oldest first, with
 * their bytes; `POST /pending/<id>` with `{"approve", "by", "key", "hash"}` answers the one
 * request held with that id if it is for that key and its bytes have that hash (with approver
 * keys, an approval also carries `signature` and `expires`: an approver key's signature of
 * `approvalBytes` naming this instance, the id, the key, the chain, the hash and the expiry);
 * `POST /deny-all` with `{"by"}` refuses them all. Every call carries `Authorization: Bearer
 * <token>`. An answer that decides nothing says why and is written to the audit log.
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
    const list: PendingList = { signer: options.pending.instance, approver_keys: options.approvals !== undefined, pending: options.pending.list().map((request) => view(request, at)) };
    res.json(list);
  });
  app.post('/pending/:id', async (req, res) => {
    const request = req.params.id;
    const body = answerSchema.safeParse(req.body);
    if (!HEX(16).test(request) || !body.success) {
      throw new TezsignerError('BAD_REQUEST', 'answer POST /pending/<id> (16 hex digits) with {"approve": true|false, "by": "<who>", "key": "tz…", "hash": "<64 hex digits>"} (and "signature", "expires" with approver keys)');
    }
    const answer: Answer = { ...body.data, request };
    const held = options.pending.get(request);
    const checked = checkAnswer(answer, { instance: options.pending.instance, held, approvals: options.approvals, now: now() });
    const refused = checked.refused ?? (options.pending.settle(request, answer.approve, checked.by) ? undefined : `request ${request} is no longer held (answered, timed out, or its client went away)`);
    if (refused === undefined) {
      res.json({ request, approve: answer.approve, decided: 1 } satisfies AnswerResult);
      return;
    }
    await options.audit?.append({
      time: new Date(now()).toISOString(),
      key: held?.key ?? answer.key,
      kind: held?.kind ?? 'unknown',
      ...(held?.chain === undefined ? {} : { chain: held.chain }),
      hash: held?.hash ?? answer.hash,
      summary: held?.summary ?? `a request not held here (${request})`,
      decision: 'answer_refused',
      by: checked.by,
      reason: `${answer.approve ? 'an approval' : 'a refusal'} of request ${request} decided nothing: ${refused}`,
    });
    res.json({ request, approve: answer.approve, decided: 0, reason: refused } satisfies AnswerResult);
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
