import { TezsignerError } from '@tezsigner/core';
import { Router } from 'express';
import type { SigningService } from '../signer-app-options.js';

/** `GET /known_keys`: the addresses this signer holds, only when the operator allows listing. */
export function knownKeysRoute(signer: SigningService, allowed: boolean): Router {
  const router = Router();
  router.get('/known_keys', async (_req, res) => {
    if (!allowed) {
      throw new TezsignerError(
        'POLICY_DENIED',
        'listing known keys is not allowed (start the signer with --allow-list-known-keys)',
      );
    }
    const keys = await signer.listKeys();
    res.json({ known_keys: keys.map((key) => key.pkh) });
  });
  return router;
}
