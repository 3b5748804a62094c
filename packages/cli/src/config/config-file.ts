import { readOwnFile } from '../io/file-mode.js';
import { configInvalid, describeTypeIssue, yamlValue } from '@tezsigner/core';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { configSchema, type ConfigFile } from './config-schema.js';

/** The line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return counter.linePos(node.range[0]).line;
  }
  return undefined;
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
  const data: unknown = yamlValue(doc, file) ?? {};
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    const line = lineOf(doc, counter, path);
    const field = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    return `${file}${line === undefined ? '' : `:${line}`}: ${field}${describeTypeIssue(issue, data) ?? (issue.code === 'unrecognized_keys' ? `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : issue.message)}`;
  });
  throw configInvalid(lines.join('; '));
}

export async function readConfigFile(file: string): Promise<ConfigFile> {
  // it names the policy and key files: whoever can write it holds their rights
  return parseConfigFile(await readOwnFile(file, 'the configuration file'), file);
}
