import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import { createAuthenticator, type Authenticator } from './access/authenticator.js';
import { answerError } from './answers/error-answer.js';
import { HttpError } from './answers/error-status.js';
import { requestLog } from './monitoring/request-log.js';
import { authorizedKeysRoute } from './routes/authorized-keys.js';
import { blsProvePossessionRoute } from './routes/bls-prove-possession.js';
import { knownKeysRoute } from './routes/known-keys.js';
import { publicKeyRoute } from './routes/public-key.js';
import { KEY_PATH, signRoute } from './routes/sign.js';
import { DEFAULT_BODY_LIMIT_BYTES, type SignerAppOptions } from './signer-app-options.js';

/** The paths this signer serves, for telling a wrong method from an unknown path. */
const KNOWN_PATHS = [KEY_PATH, /^\/authorized_keys\/?$/, /^\/known_keys\/?$/, /^\/bls_prove_possession\/[^/]+\/?$/];

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The octez remote-signer HTTP protocol (protocol notes §1) over a core SignerService: signing
 * on its own lean route, everything else through express. Throws CONFIG_INVALID when an
 * authorized key is not a public key.
 */
export function createSignerApp(
  options: SignerAppOptions,
  auth: Authenticator = createAuthenticator(options.authorizedKeys ?? []),
): RequestListener {
  const logger = options.logger ?? pino({ level: 'silent' });
  const sign = signRoute({
    signer: options.signer,
    auth,
    allowedChainIds: new Set(options.allowedChainIds ?? []),
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    logger,
    metrics: options.metrics,
  });
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(requestLog(logger));
  app.use(publicKeyRoute(options.signer));
  app.use(authorizedKeysRoute(auth));
  app.use(knownKeysRoute(options.signer, options.allowListKnownKeys ?? false));
  app.use(blsProvePossessionRoute(options.signer, options.allowProvePossession ?? false));
  app.use((req: Request) => {
    if (KNOWN_PATHS.some((path) => path.test(req.path))) {
      throw new HttpError('METHOD_NOT_ALLOWED', `${req.method} is not served on ${req.path}`);
    }
    throw new HttpError('NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => answerError(res, err, logger));
  return (req, res) => {
    if (!sign(req, res)) app(req, res);
  };
}
