import { readFile } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type ConfigFile } from './config-schema.js';
import { fileErrorMeaning } from '../io/describe-failure.js';

/** The line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

const kindOf = (value: unknown): string => (Array.isArray(value) ? 'a list' : value === null ? 'nothing' : typeof value === 'object' ? 'a map' : typeof value === 'string' ? `text (${JSON.stringify(value)})` : `${typeof value} ${String(value)}`);

/** zod's message in the words of a YAML file: `expected a number, got text ("6732"): write it without quotes`. */
function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code !== 'invalid_type') return issue.message;
  let value: unknown = data;
  for (const part of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  const expected = { number: 'a number', boolean: 'true or false', string: 'text', array: 'a list', object: 'a map' }[issue.expected as string] ?? issue.expected;
  const unquote = typeof value === 'string' && ((issue.expected === 'number' && value.trim() !== '' && !Number.isNaN(Number(value))) || (issue.expected === 'boolean' && /^(true|false)$/.test(value)));
  return `expected ${expected}, got ${kindOf(value)}${unquote ? ': write it without quotes' : ''}`;
}

/**
 * Parses and checks a configuration file's text. Every mistake is CONFIG_INVALID naming the
 * file, the line and the setting, e.g. `/etc/tezsigner.yaml:7: listen.port: expected a number`.
 */
export function parseConfigFile(text: string, file: string): ConfigFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const [syntax] = doc.errors;
  if (syntax !== undefined) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw configInvalid(`${file}:${line}: not valid YAML: ${syntax.message.split('\n')[0] ?? ''}`);
  }
  const data: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    const line = lineOf(doc, counter, path);
    const field = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return `${file}${line === undefined ? '' : `:${line}`}: ${field}${describeIssue(issue, data)}`;
  });
  throw configInvalid(lines.join('; '));
}

export async function readConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read the configuration file ${file}: ${fileErrorMeaning(err)}`, err);
  }
  return parseConfigFile(text, file);
}
