import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * When the first certificate in a PEM file expires (ms since the epoch): the server's own
 * certificate and the intermediates after it, or a bundle of CAs. Undefined when the file
 * holds no certificate Node can read (the TLS context would have refused it before).
 */
export function earliestExpiry(pem: Buffer | string): number | undefined {
  let earliest: number | undefined;
  for (const [block] of pem.toString('utf8').matchAll(PEM_CERTIFICATE)) {
    let notAfter: number;
    try {
      notAfter = Date.parse(new X509Certificate(block).validTo);
    } catch {
      continue;
    }
    if (!Number.isNaN(notAfter) && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
  }
  return earliest;
}
