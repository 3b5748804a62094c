import { parse } from '@humanwhocodes/momoa';
import type { ValueNode } from '@humanwhocodes/momoa';
import type { Fault } from './json-fields.js';

/**
 * A JSON value as its text holds it. An object keeps every member in order, a name written twice
 * included: JSON.parse keeps the last of two, while octez (json-data-encoding's `assoc`) keeps
 * both and its readers then take one of them, so what an import makes of a repeated chain or key
 * must be decided on the text, not on what JSON.parse leaves.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

export interface JsonMember {
  readonly name: string;
  readonly value: JsonValue;
  /** where it is written, to point a person at it */
  readonly line: number;
}

export class JsonObject {
  constructor(readonly members: readonly JsonMember[]) {}
}

/** The value of a strict JSON text (no comments, no trailing commas), every object member kept. */
export function parseJsonMembers(text: string, bad: Fault): JsonValue {
  let body: ValueNode;
  try {
    body = parse(text, { mode: 'json' }).body;
  } catch (err) {
    throw bad(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return valueOf(body);
}

function valueOf(node: ValueNode): JsonValue {
  switch (node.type) {
    case 'Object':
      return new JsonObject(node.members.map((member) => ({ name: member.name.type === 'String' ? member.name.value : member.name.name, value: valueOf(member.value), line: member.loc.start.line })));
    case 'Array':
      return node.elements.map((element) => valueOf(element.value));
    case 'String':
    case 'Number':
    case 'Boolean':
      return node.value;
    case 'Null':
      return null;
    default:
      // NaN and Infinity exist only in JSON5, which is not parsed here
      throw new Error(`unexpected ${node.type} in strict JSON`);
  }
}

/** `value` as an object, else the fault `why`. */
export function objectOf(value: JsonValue, bad: Fault, why: string): JsonObject {
  if (!(value instanceof JsonObject)) throw bad(why);
  return value;
}

/**
 * The fields of an object whose names octez's encodings read once: a name written twice is
 * refused, as octez refuses it (json-data-encoding takes the first and fails on the one left).
 */
export function fieldsOf(object: JsonObject, bad: Fault): Readonly<Record<string, JsonValue>> {
  const fields: Record<string, JsonValue> = {};
  const lines = new Map<string, number>();
  for (const { name, value, line } of object.members) {
    const first = lines.get(name);
    if (first !== undefined) throw bad(`"${name}" is written twice (lines ${first} and ${line}), which octez refuses to read`);
    lines.set(name, line);
    fields[name] = value;
  }
  return fields;
}
