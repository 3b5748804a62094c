import type { DecodedOperation, OperationContent } from './content.js';

/** A value JSON.stringify can write: bigints (mutez, counters, limits) become decimal strings. */
type Jsonable<T> = T extends bigint ? string : T extends readonly (infer U)[] ? Jsonable<U>[] : T extends object ? { [K in keyof T]: Jsonable<T[K]> } : T;

function jsonable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonable(item)]));
  return value;
}

/**
 * The decoded operation with every bigint as its exact decimal string, for `--json` output and
 * audit lines (JSON.stringify refuses bigints, and a number would round large amounts).
 */
export function operationToJson(operation: DecodedOperation): Jsonable<DecodedOperation> {
  return jsonable(operation) as Jsonable<DecodedOperation>;
}

export function contentToJson(content: OperationContent): Jsonable<OperationContent> {
  return jsonable(content) as Jsonable<OperationContent>;
}
