import { configInvalid } from '../errors.js';
import type { Document } from 'yaml';

/**
 * The value of a parsed YAML document, or CONFIG_INVALID naming the file: a document can parse
 * and still fail to become a value (an alias to an anchor set later, an alias expanded too
 * often), and that must read as a fault of the file, not of tezsigner.
 */
export function yamlValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw configInvalid(`${file}: not a usable YAML document: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, err);
  }
}
