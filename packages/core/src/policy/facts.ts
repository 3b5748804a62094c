import type { OperationContent } from '../operation/content.js';
import { isManagerContent } from '../operation/kinds.js';
import type { PolicyRequestKind } from './model.js';
import type { SigningRequest } from '../request/parse.js';
import { worstCase } from './worst-case.js';

/** What a policy rule reads of one operation content. */
export interface OperationFacts {
  readonly kind: string;
  /**
   * mutez the content can take at most from its source, fee aside: sent, burnt for storage,
   * locked as a bond (see worst-case.ts)
   */
  readonly amount: bigint;
  /** why no amount bounds what it takes (a drain): refused under an amount cap */
  readonly unbounded?: string | undefined;
  readonly fee: bigint;
  readonly destination?: string | undefined;
  readonly entrypoint?: string | undefined;
  /** a delegation's new delegate (absent: the delegation is withdrawn) */
  readonly delegate?: string | undefined;
}

/** What a policy reads of a request: its kind, its chain when it names one, its operations. */
export interface RequestFacts {
  readonly kind: PolicyRequestKind | 'operation';
  readonly chainId?: string | undefined;
  readonly operations: readonly OperationFacts[];
}

/** The request as a policy sees it; undefined for what is never signed (authentication). */
export function requestFacts(request: SigningRequest): RequestFacts | undefined {
  switch (request.kind) {
    case 'block':
      return { kind: request.magic === 0x01 ? 'legacy_block' : 'block', chainId: request.chainId, operations: [] };
    case 'preattestation':
    case 'attestation':
    case 'legacy_endorsement':
      return { kind: request.kind, chainId: request.chainId, operations: [] };
    case 'michelson_data':
      return { kind: 'michelson_data', operations: [] };
    case 'operation':
      return { kind: 'operation', operations: request.contents.map(operationFacts) };
    default:
      return undefined;
  }
}

/** What a content takes at worst (sent, burnt, locked) and the fee it pays, with whom it names. */
function operationFacts(content: OperationContent): OperationFacts {
  const fee = isManagerContent(content) ? content.fee : 0n;
  const worst = worstCase(content);
  const base = { kind: content.kind, fee, amount: worst.moved + worst.burnt + worst.locked, ...(worst.unbounded === undefined ? {} : { unbounded: worst.unbounded }) };
  switch (content.kind) {
    case 'transaction':
    case 'transfer_ticket':
      return { ...base, destination: content.destination, entrypoint: content.entrypoint };
    case 'origination':
    case 'delegation':
      return { ...base, ...(content.delegate === undefined ? {} : { delegate: content.delegate }) };
    case 'drain_delegate':
      return { ...base, destination: content.destination };
    default:
      return base;
  }
}

/** Mutez taken at worst and paid in fees by all contents together. */
export function totals(facts: RequestFacts): { amount: bigint; fee: bigint } {
  let amount = 0n;
  let fee = 0n;
  for (const op of facts.operations) {
    amount += op.amount;
    fee += op.fee;
  }
  return { amount, fee };
}
