import { TezsignerError, hexToBytes } from '@tezsigner/core';
import type { Request } from 'express';
import { z } from 'zod';
import { HttpError } from './error-status.js';

const bodySchema = z.string();

const querySchema = z.object({
  authentication: z.string().optional(),
  // octez clients may ask for a signature version; every version signs our curves the same way
  version: z.string().regex(/^\d+$/).optional(),
});

export interface SignBody {
  readonly bytes: Uint8Array;
  readonly authentication: string | undefined;
}

/**
 * Reads a signing request as octez sends it: a JSON string holding the hex of the bytes,
 * and optional `authentication` and `version` query parameters.
 */
export function readSignBody(req: Request): SignBody {
  if (!req.is('application/json')) {
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send the body as application/json: a JSON string of hex, e.g. "11…"',
    );
  }
  const query = querySchema.safeParse(req.query);
  if (!query.success) {
    throw new TezsignerError(
      'BAD_REQUEST',
      'bad query: authentication must be given once, version must be a number',
    );
  }
  const body = bodySchema.safeParse(req.body);
  if (!body.success) {
    throw new TezsignerError('BAD_REQUEST', 'the body must be a JSON string of hex, e.g. "11…"');
  }
  const bytes = hexToBytes(body.data);
  if (bytes.length === 0) throw new TezsignerError('BAD_REQUEST', 'nothing to sign: the body is an empty string');
  return { bytes, authentication: query.data.authentication };
}
