import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/** What a handler learned about a request, for its log line. Never secrets, never the body. */
export interface RequestFacts {
  pkh?: string;
  kind?: string;
  level?: number;
  round?: number;
  /** 'signed' | 'repeated' for a signature; 'refused' (4xx) or 'failed' (5xx) otherwise */
  outcome?: string;
  /** the error code of a refusal */
  error?: string;
  /** the refusal's message (typed errors only: they never carry secrets) */
  reason?: string;
}

const FACTS = Symbol('tezsigner.requestFacts');

type WithFacts = ServerResponse & { [FACTS]?: RequestFacts };

/** Adds facts to the request's log line (into one object per request: a signature notes three times). */
export function noteRequest(res: ServerResponse, facts: RequestFacts): void {
  const holder = res as WithFacts;
  const noted = holder[FACTS];
  if (noted === undefined) holder[FACTS] = { ...facts };
  else Object.assign(noted, facts);
}

/** What handlers noted about a request so far. */
export function requestFacts(res: ServerResponse): RequestFacts {
  return (res as WithFacts)[FACTS] ?? {};
}

/**
 * Calls `done` once, when the answer has been sent or the client went away first, with the
 * seconds since now: the moment a request's log line and metrics are complete.
 */
export function whenSettled(res: ServerResponse, done: (seconds: number) => void): void {
  const started = performance.now();
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    done((performance.now() - started) / 1000);
  };
  res.on('finish', settle);
  res.on('close', settle);
}

/**
 * Writes `req`'s log line, once it is settled (whenSettled), so it carries the status and the
 * latency the caller saw. `path` is the path alone: the query holds the authentication
 * signature, of no use in a log.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, path: string, seconds: number): void {
  const answered = res.writableFinished;
  const line = {
    method: req.method,
    path,
    ...requestFacts(res),
    ...(answered ? { status: res.statusCode } : { outcome: 'client_gone' }),
    ms: Math.round(seconds * 1_000_000) / 1000,
  };
  if (!answered) logger.warn(line, 'request');
  else if (res.statusCode >= 500) logger.error(line, 'request');
  else if (res.statusCode >= 400) logger.warn(line, 'request');
  else logger.info(line, 'request');
}

/** The request log as express middleware, for the routes express serves. */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const { path } = req;
    whenSettled(res, (seconds) => logRequest(logger, req, res, path, seconds));
    next();
  };
}
