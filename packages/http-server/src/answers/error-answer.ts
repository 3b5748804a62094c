import type { ServerResponse } from 'node:http';
import { isTezsignerError } from '@tezsigner/core';
import type { Logger } from 'pino';
import { errorResponse } from './error-status.js';
import { sendJson } from './json-answer.js';
import { noteRequest } from '../monitoring/request-log.js';

/**
 * Answers a request that failed with `err`: its status and JSON error, and the log line's
 * facts. The log keeps the whole story (paths, backend replies); the caller gets the public part.
 */
export function answerError(res: ServerResponse, err: unknown, logger: Logger): void {
  if (res.headersSent) {
    // the answer is half out: all that is left is to cut it short
    logger.error({ err }, 'error after the answer began');
    res.destroy();
    return;
  }
  const { status, body } = errorResponse(err);
  // refused: the caller must change something; failed: nothing was signed for a fault of ours
  const outcome = status >= 500 ? 'failed' : 'refused';
  if (body.error.code === 'INTERNAL') {
    noteRequest(res, { outcome, error: 'INTERNAL' });
    logger.error({ err }, 'unexpected error while serving a request');
  } else {
    noteRequest(res, { outcome, error: body.error.code, reason: isTezsignerError(err) ? err.message : body.error.message });
  }
  sendJson(res, status, body);
}
