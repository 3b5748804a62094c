import type { OperationContent } from '../operation/content.js';
import { isManagerContent } from '../operation/kinds.js';
import type { PolicyRequestKind } from './model.js';
import type { SigningRequest } from '../request/parse.js';

/** What a policy rule reads of one operation content. */
export interface OperationFacts {
  readonly kind: string;
  /** mutez moved: a transaction's amount, an origination's balance */
  readonly amount: bigint;
  readonly fee: bigint;
  readonly destination?: string;
  readonly entrypoint?: string;
  /** a delegation's new delegate (absent: the delegation is withdrawn) */
  readonly delegate?: string;
}

/** What a policy reads of a request: its kind, its chain when it names one, its operations. */
export interface RequestFacts {
  readonly kind: PolicyRequestKind | 'operation';
  readonly chainId?: string;
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

/** Tez a content moves (ticket amounts and storage bytes are not tez) and the fee it pays. */
function operationFacts(content: OperationContent): OperationFacts {
  const fee = isManagerContent(content) ? content.fee : 0n;
  const base = { kind: content.kind, fee };
  switch (content.kind) {
    case 'transaction':
      return { ...base, amount: content.amount, destination: content.destination, entrypoint: content.entrypoint };
    case 'transfer_ticket':
      return { ...base, amount: 0n, destination: content.destination, entrypoint: content.entrypoint };
    case 'origination':
      return { ...base, amount: content.balance, ...(content.delegate === undefined ? {} : { delegate: content.delegate }) };
    case 'delegation':
      return { ...base, amount: 0n, ...(content.delegate === undefined ? {} : { delegate: content.delegate }) };
    case 'drain_delegate':
      return { ...base, amount: 0n, destination: content.destination };
    default:
      return { ...base, amount: 0n };
  }
}

/** Mutez moved and paid in fees by all contents together. */
export function totals(facts: RequestFacts): { amount: bigint; fee: bigint } {
  let amount = 0n;
  let fee = 0n;
  for (const op of facts.operations) {
    amount += op.amount;
    fee += op.fee;
  }
  return { amount, fee };
}
