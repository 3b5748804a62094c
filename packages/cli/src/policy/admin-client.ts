import { request } from 'node:http';
import { TezsignerError } from '@tezsigner/core';
import type { PendingView } from '@tezsigner/http-server';

/** One call to the running signer's admin channel; its refusals come back as TezsignerErrors. */
function call<T>(socketPath: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath, method, path, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } },
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
          if (res.statusCode === 200 || res.statusCode === 404) {
            // 404: that request is no longer pending
            resolve(res.statusCode === 200 ? (parsed as T) : undefined);
            return;
          }
          const error = (parsed as { error?: { message?: string } }).error;
          const code = res.statusCode === 401 || res.statusCode === 403 ? 'AUTH_INVALID' : res.statusCode === 400 ? 'BAD_REQUEST' : 'BACKEND_UNAVAILABLE';
          reject(new TezsignerError(code, `the signer's admin socket refused: ${error?.message ?? `status ${res.statusCode ?? '?'}`}`));
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

export interface PendingList {
  readonly pending: PendingView[];
  /** whether the signer takes only approvals signed by an approver key */
  readonly approverKeys: boolean;
}

export async function listPending(socketPath: string, token: string): Promise<PendingList> {
  const answer = await call<{ pending: PendingView[]; approver_keys?: boolean }>(socketPath, token, 'GET', '/pending');
  return { pending: answer?.pending ?? [], approverKeys: answer?.approver_keys === true };
}

/** How many requests with that hash were answered; 0 when none is pending (answered, timed out, gone). */
export async function decidePending(socketPath: string, token: string, hash: string, answer: { approve: boolean; by: string; signature?: string }): Promise<number> {
  return (await call<{ answered: number }>(socketPath, token, 'POST', `/pending/${encodeURIComponent(hash)}`, answer))?.answered ?? 0;
}

/** Refuses every pending request; how many. */
export async function denyAllPending(socketPath: string, token: string, by: string): Promise<number> {
  return (await call<{ refused: number }>(socketPath, token, 'POST', '/deny-all', { by }))?.refused ?? 0;
}
