import { Router } from 'express';
import { addressParam } from '../address-param.js';
import type { Authenticator } from '../authenticator.js';
import { checkChainAllowed } from '../chain-allowlist.js';
import { factsOf, factsOfBytes } from '../request-facts.js';
import { noteRequest } from '../request-log.js';
import { readSignBody } from '../sign-body.js';
import type { SigningService } from '../signer-app-options.js';

/** `GET /keys/<pkh>` (public key) and `POST /keys/<pkh>` (sign). */
export function keysRoutes(signer: SigningService, auth: Authenticator, allowedChainIds: ReadonlySet<string> = new Set()): Router {
  const router = Router();

  router.get('/keys/:pkh', async (req, res) => {
    noteRequest(res, { pkh: req.params.pkh });
    const pkh = addressParam(req.params.pkh);
    const publicKey = await signer.getPublicKey(pkh);
    res.json({ public_key: publicKey });
  });

  router.post('/keys/:pkh', async (req, res) => {
    noteRequest(res, { pkh: req.params.pkh });
    const pkh = addressParam(req.params.pkh);
    const { bytes, authentication } = readSignBody(req);
    let result;
    try {
      auth.check(pkh, bytes, authentication);
      checkChainAllowed(allowedChainIds, pkh, bytes);
      result = await signer.sign(pkh, bytes);
    } catch (err) {
      noteRequest(res, factsOfBytes(pkh, bytes));
      throw err;
    }
    noteRequest(res, { ...factsOf(result.request), outcome: result.outcome });
    res.json({ signature: result.signature });
  });

  return router;
}
