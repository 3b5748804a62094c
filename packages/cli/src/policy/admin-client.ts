import { request } from 'node:http';
import { TezsignerError } from '@tezsigner/core';
import type { AnswerResult, PendingList } from '@tezsigner/http-server';
import { terminalSafe } from '../confirm/terminal-text.js';

/** One call to the running signer's admin channel; its refusals come back as TezsignerErrors. */
function call<T>(socketPath: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      // a connection of its own each call (no pooled one): each call reaches what the socket's path names now
      { socketPath, method, path, agent: false, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new TezsignerError('BACKEND_UNAVAILABLE', `the admin socket ${socketPath} answered ${res.statusCode ?? '?'} without JSON`));
            return;
          }
          if (res.statusCode === 200 && typeof parsed === 'object' && parsed !== null) {
            resolve(parsed as T);
            return;
          }
          const error = (parsed as { error?: { message?: unknown } } | null)?.error;
          const message = typeof error?.message === 'string' ? error.message : `status ${res.statusCode ?? '?'}`;
          const code = res.statusCode === 401 || res.statusCode === 403 ? 'AUTH_INVALID' : res.statusCode === 400 ? 'BAD_REQUEST' : 'BACKEND_UNAVAILABLE';
          // whatever answers on the socket wrote it: it reaches a terminal only escaped
          reject(new TezsignerError(code, `the signer's admin socket refused: ${terminalSafe(message)}`));
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ': is a signer running with a policy that asks for confirmations?' : '';
      reject(new TezsignerError('CONFIG_INVALID', `cannot reach the signer's admin socket ${socketPath} (${err.code ?? err.message})${hint}`, { cause: err }));
    });
    req.end(payload);
  });
}

export async function listPending(socketPath: string, token: string): Promise<PendingList> {
  const answer = await call<Partial<PendingList>>(socketPath, token, 'GET', '/pending');
  return { signer: typeof answer.signer === 'string' ? answer.signer : '', approver_keys: answer.approver_keys === true, pending: Array.isArray(answer.pending) ? answer.pending : [] };
}

/** An answer to the one request held with `id`, naming its key and the hash of its bytes. */
export interface AnswerBody {
  readonly approve: boolean;
  readonly by: string;
  readonly key: string;
  readonly hash: string;
  readonly signature?: string;
  readonly expires?: number;
}

/** How many requests the answer decided: 1, or 0 and why. */
export async function answerPending(socketPath: string, token: string, id: string, answer: AnswerBody): Promise<{ decided: number; reason?: string }> {
  const result = await call<Partial<AnswerResult>>(socketPath, token, 'POST', `/pending/${encodeURIComponent(id)}`, answer);
  const decided = result.decided === 1 ? 1 : 0;
  return decided === 1 ? { decided } : { decided, reason: typeof result.reason === 'string' ? result.reason : 'the signer gave no reason' };
}

/** Refuses every pending request; how many. */
export async function denyAllPending(socketPath: string, token: string, by: string): Promise<number> {
  const answer = await call<{ refused?: unknown }>(socketPath, token, 'POST', '/deny-all', { by });
  return typeof answer.refused === 'number' ? answer.refused : 0;
}
