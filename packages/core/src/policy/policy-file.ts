import { isCollection, isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configInvalid } from '../errors.js';
import { describeTypeIssue } from '../file-text/describe-type-issue.js';
import { yamlValue } from '../file-text/yaml-value.js';
import type { Policy } from './model.js';
import { policyFileSchema, toPolicy } from './file-schema.js';
import { unboundedFees } from './fee-bounds.js';

/** The last part of a path, on any platform: the policy's name in the rules it gives. */
const baseName = (path: string): string => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/**
 * The text of a policy file (YAML, or JSON, which YAML reads too) as a Policy, named after the
 * file. A mistake is CONFIG_INVALID naming the file (`path`, as given), the line and the field:
 * `policy.yaml:12: keys.tz1….limits.max_amount: …`. Reads no file: the caller gives the text.
 */
export function parsePolicyFile(text: string, path: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    throw configInvalid(`${path}:${lines.linePos(syntax.pos[0]).line}: ${syntax.message.split('\n')[0]}`);
  }
  const data: unknown = yamlValue(doc, path) ?? {};
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path_ = issue.path.map(String);
    const field = issue.code === 'unrecognized_keys' ? [...path_, issue.keys[0] ?? ''] : path_;
    const line = lineOf(doc, lines, field);
    const name = field.length === 0 ? '(top level)' : field.join('.');
    const message =
      issue.code === 'unrecognized_keys' ? 'unknown field' : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : (describeTypeIssue(issue, data) ?? issue.message);
    throw configInvalid(`${path}${line === undefined ? '' : `:${line}`}: ${name}: ${message}`);
  }
  const policy = toPolicy(baseName(path), parsed.data);
  const unbounded = unboundedFees(policy);
  if (unbounded !== undefined) {
    const field = [...unbounded.section.split(/\.(?=tz)/), 'limits'];
    const line = lineOf(doc, lines, field);
    throw configInvalid(`${path}${line === undefined ? '' : `:${line}`}: ${unbounded.section}.limits: no ${unbounded.missing}: ${unbounded.reason}`);
  }
  return policy;
}

/** The line of a field (its key when it has one, else its value). */
function lineOf(doc: Document, lines: LineCounter, path: readonly string[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === step);
      if (pair === undefined) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isCollection(node)) {
      const item = node.items[Number(step)] as { range?: [number] } | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
