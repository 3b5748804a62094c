import { isTezsignerError } from '@tezsigner/core';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { HttpError, errorResponse } from './error-status.js';
import { noteRequest, requestLog } from './request-log.js';
import { requestMetrics } from './request-metrics.js';
import { authorizedKeysRoute } from './routes/authorized-keys.js';
import { blsProvePossessionRoute } from './routes/bls-prove-possession.js';
import { keysRoutes } from './routes/keys.js';
import { knownKeysRoute } from './routes/known-keys.js';
import { DEFAULT_BODY_LIMIT_BYTES, type SignerAppOptions } from './signer-app-options.js';

/** The paths this signer serves, for telling a wrong method from an unknown path. */
const KNOWN_PATHS = [/^\/keys\/[^/]+\/?$/, /^\/authorized_keys\/?$/, /^\/known_keys\/?$/, /^\/bls_prove_possession\/[^/]+\/?$/];

/**
 * The octez remote-signer HTTP protocol (protocol notes §1) over a core SignerService.
 * Throws CONFIG_INVALID when an authorized key is not a public key.
 */
export function createSignerApp(
  options: SignerAppOptions,
  auth: Authenticator = createAuthenticator(options.authorizedKeys ?? []),
): Express {
  const logger = options.logger ?? pino({ level: 'silent' });
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(requestLog(logger));
  if (options.metrics !== undefined) app.use(requestMetrics(options.metrics));
  // strict: false because the body is a bare JSON string, not an object
  app.use(express.json({ strict: false, limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES }));
  app.use(keysRoutes(options.signer, auth, new Set(options.allowedChainIds ?? [])));
  app.use(authorizedKeysRoute(auth));
  app.use(knownKeysRoute(options.signer, options.allowListKnownKeys ?? false));
  app.use(blsProvePossessionRoute(options.signer, options.allowProvePossession ?? false));
  app.use((req: Request) => {
    if (KNOWN_PATHS.some((path) => path.test(req.path))) {
      throw new HttpError('METHOD_NOT_ALLOWED', `${req.method} is not served on ${req.path}`);
    }
    throw new HttpError('NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`);
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { status, body } = errorResponse(err);
    // refused: the caller must change something; failed: nothing was signed for a fault of ours
    const outcome = status >= 500 ? 'failed' : 'refused';
    if (body.error.code === 'INTERNAL') {
      noteRequest(res, { outcome, error: 'INTERNAL' });
      logger.error({ err }, 'unexpected error while serving a request');
    } else {
      // the log keeps the whole story (paths, backend replies); the caller got the public part
      noteRequest(res, { outcome, error: body.error.code, reason: isTezsignerError(err) ? err.message : body.error.message });
    }
    res.status(status).json(body);
  });
  return app;
}
