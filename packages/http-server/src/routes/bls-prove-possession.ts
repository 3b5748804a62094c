import { TezsignerError } from '@tezsigner/core';
import { Router } from 'express';
import { z } from 'zod';
import { addressParam } from '../address-param.js';
import { noteRequest } from '../monitoring/request-log.js';
import type { SigningService } from '../signer-app-options.js';

const querySchema = z.object({ bls_pk: z.string().optional() });

/**
 * `GET /bls_prove_possession/<tz4>`: a BLS proof of possession, needed to reveal a tz4 key,
 * only when the operator allows it. The proof signs the key's own public key under a DST no
 * operation uses, so it cannot be replayed as a signature; proofs for another public key
 * (`bls_pk`, which octez accepts) are refused because they would make this signer sign
 * caller-chosen bytes.
 */
export function blsProvePossessionRoute(signer: SigningService, allowed: boolean): Router {
  const router = Router();
  router.get('/bls_prove_possession/:pkh', async (req, res) => {
    noteRequest(res, { pkh: req.params.pkh, kind: 'bls_prove_possession' });
    if (!allowed) {
      throw new TezsignerError(
        'POLICY_DENIED',
        'proofs of possession are not allowed (start the signer with --allow-prove-possession)',
      );
    }
    const pkh = addressParam(req.params.pkh);
    const query = querySchema.safeParse(req.query);
    if (!query.success) throw new TezsignerError('BAD_REQUEST', 'bad query: bls_pk must be given once');
    if (query.data.bls_pk !== undefined && query.data.bls_pk !== (await signer.getPublicKey(pkh))) {
      throw new TezsignerError('NOT_SUPPORTED', 'a proof of possession for another public key (bls_pk) is not supported');
    }
    const proof = await signer.proveProofOfPossession(pkh);
    res.json({ bls_prove_possession: proof });
  });
  return router;
}
