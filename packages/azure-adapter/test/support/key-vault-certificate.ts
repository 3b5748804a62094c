import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  /** PEM certificate, also the only trust anchor a client needs (it is self-signed) */
  readonly cert: string;
  /** PEM private key of the certificate; stays in the test process */
  readonly key: string;
}

/** selfsigned's extension shape (its type is not exported) */
type Extension = NonNullable<NonNullable<Parameters<typeof generate>[1]>['extensions']>[number];

/**
 * A fresh self-signed P-256 certificate for `commonName`, valid one day, with `extensions` after
 * the basic constraints and key usage every test certificate has. Made at test start, so no key
 * material is ever committed.
 */
export async function selfSignedCertificate(commonName: string, extensions: readonly Extension[]): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, critical: true }, ...extensions],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * A certificate for https://127.0.0.1. Clients trust it explicitly (tlsOptions.ca), never
 * through a global setting.
 */
export function createLoopbackCertificate(): Promise<LoopbackCertificate> {
  return selfSignedCertificate('127.0.0.1', [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
}
