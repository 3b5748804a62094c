import { Router } from 'express';
import { addressParam } from '../address-param.js';
import { noteRequest } from '../monitoring/request-log.js';
import type { SigningService } from '../signer-app-options.js';

/** `GET /keys/<pkh>`: the public key. (`POST`, signing, is the sign route's.) */
export function publicKeyRoute(signer: SigningService): Router {
  const router = Router();
  router.get('/keys/:pkh', async (req, res) => {
    noteRequest(res, { pkh: req.params.pkh });
    const pkh = addressParam(req.params.pkh);
    const publicKey = await signer.getPublicKey(pkh);
    res.json({ public_key: publicKey });
  });
  return router;
}
