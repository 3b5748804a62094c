import { readBranch } from './operation-fields.js';
import { OPERATION_KINDS, REFUSED_OPERATION_TAGS } from './operation-kinds.js';
import type { RequestReader } from './request-reader.js';

/** One content of a generic operation, as far as a policy or a log needs it. */
export interface OperationSummary {
  /** octez kind name: "transaction", "reveal", "ballot", … */
  readonly kind: string;
  /** for transactions and ticket transfers: the entrypoint called ("default", "stake", …) */
  readonly entrypoint?: string;
}

export interface DecodedOperation {
  /** b58 `B…` hash of the block the operation is branched on */
  readonly branch: string;
  readonly operations: readonly OperationSummary[];
}

/**
 * Decodes an unsigned operation (octez `unsigned_operation_encoding`: branch, then a list of
 * contents filling the rest). Every content is read to its end, so the kinds reported are
 * exactly what will be signed; a list of several contents may hold manager operations only.
 */
export function decodeOperation(reader: RequestReader): DecodedOperation {
  const branch = readBranch(reader);
  const operations: OperationSummary[] = [];
  let allManagers = true;
  do {
    const at = reader.offset;
    const tag = reader.u8('operation tag');
    const kind = OPERATION_KINDS.get(tag);
    if (kind === undefined) {
      reader.fail(`${REFUSED_OPERATION_TAGS.get(tag) ?? 'unknown operation tag'} (tag ${tag} at byte ${at})`);
    }
    const entrypoint = kind.read(reader);
    operations.push(entrypoint === undefined ? { kind: kind.name } : { kind: kind.name, entrypoint });
    allManagers &&= kind.manager;
  } while (reader.remaining > 0);
  if (operations.length > 1 && !allManagers) {
    reader.fail(`a batch of ${operations.length} operations may hold manager operations only, got ${operations.map((op) => op.kind).join(', ')}`);
  }
  return { branch, operations };
}
