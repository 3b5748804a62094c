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

type WithFacts = Response & { [FACTS]?: RequestFacts };

/** Adds facts to the request's log line. */
export function noteRequest(res: Response, facts: RequestFacts): void {
  const holder = res as WithFacts;
  holder[FACTS] = { ...holder[FACTS], ...facts };
}

/** What handlers noted about a request so far. */
export function requestFacts(res: Response): RequestFacts {
  return (res as WithFacts)[FACTS] ?? {};
}

/**
 * Calls `done` once, when the answer has been sent or the client went away first, with the
 * seconds since now: the moment a request's log line and metrics are complete.
 */
export function whenSettled(res: Response, done: (seconds: number) => void): void {
  const started = process.hrtime.bigint();
  let settled = false;
  const settle = (): void => {
    if (settled) return;
    settled = true;
    done(Number(process.hrtime.bigint() - started) / 1e9);
  };
  res.on('finish', settle);
  res.on('close', settle);
}

/**
 * One log line per request, written when the answer is sent (or the client goes away), so
 * it carries the status and the latency the caller saw.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    whenSettled(res, (seconds) => {
      const ms = seconds * 1000;
      const facts = requestFacts(res);
      const answered = res.writableFinished;
      const line = {
        method: req.method,
        // the path only: the query holds the authentication signature, of no use in a log
        path: req.path,
        ...facts,
        ...(answered ? { status: res.statusCode } : { outcome: 'client_gone' }),
        ms: Math.round(ms * 1000) / 1000,
      };
      if (!answered) logger.warn(line, 'request');
      else if (res.statusCode >= 500) logger.error(line, 'request');
      else if (res.statusCode >= 400) logger.warn(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
