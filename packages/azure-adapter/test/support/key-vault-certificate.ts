import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  /** PEM certificate, also the only trust anchor a client needs (it is self-signed) */
  readonly cert: string;
  /** PEM private key of the certificate; stays in the test process */
  readonly key: string;
}

/**
 * A fresh self-signed certificate for https://127.0.0.1, made at test start so no key material
 * is ever committed. Clients trust it explicitly (tlsOptions.ca), never through a global setting.
 */
export async function createLoopbackCertificate(): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
