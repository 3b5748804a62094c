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
          const code = res.statusCode === 401 || res.statusCode === 403 ? 'AUTH_INVALID' : 'BACKEND_UNAVAILABLE';
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

export async function listPending(socketPath: string, token: string): Promise<PendingView[]> {
  return (await call<{ pending: PendingView[] }>(socketPath, token, 'GET', '/pending'))?.pending ?? [];
}

/** False when the request is no longer pending (answered by someone else, or timed out). */
export async function decidePending(socketPath: string, token: string, id: string, approve: boolean, by: string): Promise<boolean> {
  return (await call(socketPath, token, 'POST', `/pending/${encodeURIComponent(id)}`, { approve, by })) !== undefined;
}
