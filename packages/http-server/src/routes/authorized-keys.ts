import { Router } from 'express';
import type { Authenticator } from '../access/authenticator.js';

/**
 * `GET /authorized_keys`: `{}` tells clients to send unauthenticated requests; otherwise the
 * addresses of the keys they may authenticate with (octez lists hashes, not public keys).
 */
export function authorizedKeysRoute(auth: Authenticator): Router {
  const router = Router();
  router.get('/authorized_keys', (_req, res) => {
    res.json(auth.required ? { authorized_keys: auth.authorizedKeyHashes } : {});
  });
  return router;
}
