import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { addressParam } from '../address-param.js';
import type { Authenticator } from '../access/authenticator.js';
import { checkChainAllowed } from '../access/chain-allowlist.js';
import { answerError } from '../answers/error-answer.js';
import { sendJson } from '../answers/json-answer.js';
import type { SignerMetrics } from '../monitoring/metrics.js';
import { factsOf, factsOfBytes } from '../monitoring/request-facts.js';
import { logRequest, noteRequest, whenSettled } from '../monitoring/request-log.js';
import { countRequest } from '../monitoring/request-metrics.js';
import { readSignBody } from '../sign-body.js';
import type { SigningService } from '../signer-app-options.js';

export interface SignRouteOptions {
  readonly signer: SigningService;
  readonly auth: Authenticator;
  readonly allowedChainIds: ReadonlySet<string>;
  readonly bodyLimitBytes: number;
  readonly logger: Logger;
  readonly metrics: SignerMetrics | undefined;
}

/** `/keys/<pkh>`, the key's path for its public key and its signatures. */
export const KEY_PATH = /^\/keys\/([^/]+)\/?$/;

/**
 * `POST /keys/<pkh>`, signing: every signature a baker waits for passes here, so it is served on
 * Node's own request and response, without express's router and body parser (they cost several
 * times the signature itself). Answers whether it took the request; express serves the rest.
 */
export function signRoute(options: SignRouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { logger, metrics } = options;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const match = KEY_PATH.exec(path);
    if (match === null) return false;
    // one pair of listeners and one clock for the log line and the metrics: on every signature
    whenSettled(res, (seconds) => {
      logRequest(logger, req, res, path, seconds);
      if (metrics !== undefined) countRequest(metrics, res, seconds);
    });
    sign(options, req, res, match[1] ?? '', queryAt === -1 ? '' : url.slice(queryAt + 1)).catch((err: unknown) => answerError(res, err, logger));
    return true;
  };
}

async function sign(options: SignRouteOptions, req: IncomingMessage, res: ServerResponse, pathPkh: string, query: string): Promise<void> {
  // a bad %-escape throws URIError, answered as the caller's mistake
  const pkhParam = decodeURIComponent(pathPkh);
  noteRequest(res, { pkh: pkhParam });
  const pkh = addressParam(pkhParam);
  const { bytes, authentication, version } = await readSignBody(req, query, options.bodyLimitBytes);
  let result;
  try {
    options.auth.check(pkh, bytes, authentication);
    checkChainAllowed(options.allowedChainIds, pkh, bytes);
    result = await options.signer.sign(pkh, bytes, { gone: whenGone(req), ...(version === undefined ? {} : { version }) });
  } catch (err) {
    noteRequest(res, factsOfBytes(pkh, bytes));
    throw err;
  }
  noteRequest(res, { ...factsOf(result.request), outcome: result.outcome });
  sendJson(res, 200, { signature: result.signature });
}

/** Per connection, the signal of its requests: aborted when it closes. */
const connectionGone = new WeakMap<Socket, AbortSignal>();

/**
 * Aborts when the request's connection closes: a client that gave up (Taquito after 30 s) must
 * not leave a request a person could still approve, for nobody. One signal per connection, not
 * per request (an AbortController costs several µs, on every signature): a connection closed
 * after a request's answer aborts nothing that is still waiting, and none of its requests can
 * be answered once it has closed.
 */
function whenGone(req: IncomingMessage): AbortSignal {
  const { socket } = req;
  let signal = connectionGone.get(socket);
  if (signal === undefined) {
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    signal = gone.signal;
    connectionGone.set(socket, signal);
  }
  return signal;
}
