import type { z } from 'zod';

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value === null ? 'nothing' : typeof value === 'object' ? 'a map' : typeof value === 'string' ? `text (${JSON.stringify(value)})` : `${typeof value} ${String(value)}`;

/**
 * A value of the wrong type in a YAML file (configuration or policy), said in the file's words
 * instead of zod's (`Invalid input: expected number, received string`): `expected a number, got
 * text ("6732"): write it without quotes`. Undefined for any other issue.
 */
export function describeTypeIssue(issue: z.core.$ZodIssue, data: unknown): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  let value: unknown = data;
  for (const part of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  const expected = { number: 'a number', boolean: 'true or false', string: 'text', array: 'a list', object: 'a map', record: 'a map' }[issue.expected as string] ?? issue.expected;
  const unquote =
    typeof value === 'string' && ((issue.expected === 'number' && value.trim() !== '' && !Number.isNaN(Number(value))) || (issue.expected === 'boolean' && /^(true|false)$/.test(value)));
  return `expected ${expected}, got ${kindOf(value)}${unquote ? ': write it without quotes' : ''}`;
}
