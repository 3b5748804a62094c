import type { PolicyRequestKind } from './policy.js';
import type { SigningRequest } from './request.js';

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
      return { kind: 'operation', operations: request.operations.map(operationFacts) };
    default:
      return undefined;
  }
}

function operationFacts(op: SigningRequestOperation): OperationFacts {
  const fields = op as Partial<Record<'fee' | 'amount' | 'balance', bigint>> & Partial<Record<'destination' | 'delegate', string>>;
  return {
    kind: op.kind,
    amount: (fields.amount ?? 0n) + (fields.balance ?? 0n),
    fee: fields.fee ?? 0n,
    ...(fields.destination === undefined ? {} : { destination: fields.destination }),
    ...(op.entrypoint === undefined ? {} : { entrypoint: op.entrypoint }),
    ...(fields.delegate === undefined ? {} : { delegate: fields.delegate }),
  };
}

type SigningRequestOperation = Extract<SigningRequest, { kind: 'operation' }>['operations'][number];

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
