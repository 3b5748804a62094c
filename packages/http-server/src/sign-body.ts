import type { IncomingMessage } from 'node:http';
import { TezsignerError, hexToBytes, parseSignatureVersion, type SignatureVersion } from '@tezsigner/core';
import { HttpError } from './answers/error-status.js';

export interface SignBody {
  readonly bytes: Uint8Array;
  readonly authentication: string | undefined;
  /** octez's `?version=`: the BLS scheme of a tz4 signature */
  readonly version: SignatureVersion | undefined;
}

const EXAMPLE = 'a JSON string of hex, e.g. "11…"';

/**
 * Reads a signing request as octez sends it: a JSON string holding the hex of the bytes, and
 * optional `authentication` and `version` query parameters (`query` is the URL after `?`).
 * Header and query are checked before a byte of the body is read.
 */
export async function readSignBody(req: IncomingMessage, query: string, limitBytes: number): Promise<SignBody> {
  checkContentType(req);
  const { authentication, version } = readQuery(query);
  const text = await readText(req, limitBytes);
  if (text.trim() === '') throw new TezsignerError('BAD_REQUEST', `the body is empty: send ${EXAMPLE}`);
  let hex: unknown;
  try {
    hex = JSON.parse(text);
  } catch {
    throw new TezsignerError('BAD_REQUEST', `the body is not valid JSON: send ${EXAMPLE}`);
  }
  if (typeof hex !== 'string') throw new TezsignerError('BAD_REQUEST', `the body must be ${EXAMPLE}`);
  const bytes = hexToBytes(hex);
  if (bytes.length === 0) throw new TezsignerError('BAD_REQUEST', 'nothing to sign: the body is an empty string');
  return { bytes, authentication, version };
}

function checkContentType(req: IncomingMessage): void {
  const [type = '', ...parameters] = (req.headers['content-type'] ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json: ${EXAMPLE}`);
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset' && value.trim().replace(/^"(.*)"$/, '$1').toLowerCase() !== 'utf-8') {
      throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON');
    }
  }
  // octez and Taquito never compress a body this small; a compressed one is refused, not inflated
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON, not compressed');
  }
}

/** The `authentication` signature and the signature `version`, if given. */
function readQuery(query: string): { authentication: string | undefined; version: SignatureVersion | undefined } {
  const params = new URLSearchParams(query);
  const authentication = params.getAll('authentication');
  const version = params.getAll('version');
  if (authentication.length > 1 || version.length > 1 || (version[0] !== undefined && !/^\d+$/.test(version[0]))) {
    throw new TezsignerError('BAD_REQUEST', 'bad query: authentication must be given once, version must be a number');
  }
  return { authentication: authentication[0], version: version[0] === undefined ? undefined : parseSignatureVersion(version[0]) };
}

/** The body as UTF-8, refused as soon as it is known to exceed `limitBytes`. */
function readText(req: IncomingMessage, limitBytes: number): Promise<string> {
  const tooLarge = () => new HttpError('PAYLOAD_TOO_LARGE', `the body is too large (limit ${limitBytes} bytes)`);
  if (Number(req.headers['content-length']) > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: Error | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (err === undefined) resolve(Buffer.concat(chunks, size).toString('utf8'));
      else reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onGone = () => finish(new TezsignerError('BAD_REQUEST', 'the body could not be read: the client went away'));
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}
