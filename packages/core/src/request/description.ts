import { describeMichelson } from '../micheline/render.js';
import { summarizeOperation } from '../operation/summary.js';
import type { SigningRequest } from './parse.js';

/** One line saying what a request is, for the people who confirm it and the audit log. */
export function describeRequest(request: SigningRequest): string {
  switch (request.kind) {
    case 'block':
    case 'preattestation':
    case 'attestation':
    case 'legacy_endorsement':
      return `${request.magic === 0x01 ? 'legacy block' : request.kind.replace('_', ' ')} at level ${request.level} round ${request.round} on ${request.chainId}`;
    case 'michelson_data':
      return `Michelson data (0x05): ${describeMichelson(request.data)}`;
    case 'operation':
      return summarizeOperation(request);
    case 'authentication':
      return `authentication of a request for ${request.pkh}`;
  }
}
