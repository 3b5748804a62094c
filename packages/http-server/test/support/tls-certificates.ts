import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { createLoopbackCertificate, selfSignedCertificate, type LoopbackCertificate } from '../../../azure-adapter/test/support/key-vault-certificate.js';

export { createLoopbackCertificate, type LoopbackCertificate };

/**
 * A fresh self-signed client certificate: it is its own CA, so a server given it as
 * `--tls-client-ca` accepts exactly this client. Made at test start, never committed.
 */
export function createClientCertificate(commonName: string): Promise<LoopbackCertificate> {
  return selfSignedCertificate(commonName, [{ name: 'extKeyUsage', clientAuth: true }]);
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: unknown;
  /** SHA-256 fingerprint of the certificate the server presented */
  readonly serverFingerprint: string;
}

/** One HTTPS exchange trusting only `ca`, optionally presenting a client certificate. */
export function httpsCall(
  url: string,
  options: { ca: string; client?: LoopbackCertificate; body?: string },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.body === undefined ? 'GET' : 'POST',
        ca: options.ca,
        ...(options.client === undefined ? {} : { cert: options.client.cert, key: options.client.key }),
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown, serverFingerprint: fingerprint }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
