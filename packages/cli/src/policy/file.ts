import { parsePolicyFile, type Policy } from '@tezsigner/core';
import { readOwnFile } from '../io/file-mode.js';

/**
 * Reads a policy file (YAML, or JSON, which YAML reads too). A mistake is CONFIG_INVALID naming
 * the file, the line and the field: `policy.yaml:12: keys.tz1….limits.max_amount: …`.
 */
export async function readPolicyFile(path: string): Promise<Policy> {
  return parsePolicyFile(await readOwnFile(path, 'the policy file'), path);
}
