import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { configInvalid } from '@tezsigner/core';

/** Where the TLS material is: PEM files, read at start and again on reload. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** when set, clients must present a certificate issued by one of these CAs */
  readonly clientCa?: string | undefined;
}

/** The PEM contents of TlsFiles, checked to form a usable context. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer | undefined;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw configInvalid(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, err);
  }
}

/**
 * Reads the certificate, key and client CA, and builds a context from them so a key that does
 * not match its certificate (or a file that is not PEM) is refused here, before a server uses
 * it. OpenSSL's message never holds key material, only what went wrong.
 */
export async function readTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const material: TlsMaterial = {
    cert: await readPem(files.cert, 'certificate'),
    key: await readPem(files.key, 'key'),
    ...(files.clientCa === undefined ? {} : { ca: await readPem(files.clientCa, 'client CA') }),
  };
  try {
    createSecureContext(material);
  } catch (err) {
    const why = err instanceof Error ? err.message : 'unusable';
    throw configInvalid(`the TLS certificate ${files.cert} and key ${files.key}${files.clientCa === undefined ? '' : ` (client CA ${files.clientCa})`} cannot be used: ${why}`, err);
  }
  return material;
}

/** The options of an HTTPS server: client certificates are required exactly when a CA is given. */
export function tlsServerOptions(material: TlsMaterial): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  const requireClient = material.ca !== undefined;
  return { ...material, requestCert: requireClient, rejectUnauthorized: requireClient, minVersion: 'TLSv1.2' };
}
