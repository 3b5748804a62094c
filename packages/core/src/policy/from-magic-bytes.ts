import { ANY_OPERATION, BAKER_DEFAULT_POLICY, type KeyPolicy, type Policy, type PolicyRequestKind, type Verdict } from './model.js';
import { formatMagicByte, validateMagicBytes } from '../request/magic-bytes.js';

/** The policy kind each magic byte starts; `operation` is 0x03's contents, named by kind. */
export const KIND_OF_MAGIC_BYTE: ReadonlyMap<number, PolicyRequestKind | 'operation'> = new Map([
  [0x01, 'legacy_block'],
  [0x02, 'legacy_endorsement'],
  [0x03, 'operation'],
  [0x05, 'michelson_data'],
  [0x11, 'block'],
  [0x12, 'preattestation'],
  [0x13, 'attestation'],
] as const);

/**
 * `--magic-bytes` as a policy: every key may have the listed kinds signed at once, every
 * other kind is refused (by the rule named `--magic-bytes`).
 */
export function policyFromMagicBytes(bytes: readonly number[]): Policy {
  const allowed = validateMagicBytes(bytes);
  const kinds: Partial<Record<PolicyRequestKind, Verdict>> = {};
  let operations: Record<string, Verdict> = { [ANY_OPERATION]: 'deny' };
  for (const [byte, kind] of KIND_OF_MAGIC_BYTE) {
    const verdict: Verdict = allowed.includes(byte) ? 'allow' : 'deny';
    if (kind === 'operation') operations = { [ANY_OPERATION]: verdict };
    else kinds[kind] = verdict;
  }
  return { source: '--magic-bytes', default: { kinds, operations } };
}

function mayPass(rules: readonly (KeyPolicy | undefined)[], kind: PolicyRequestKind | 'operation'): boolean {
  if (kind === 'operation') {
    // a key's own `*: deny` still leaves room for a kind it or the default allows by name
    return rules.some((section) => Object.values(section?.operations ?? {}).some((verdict) => verdict !== 'deny'));
  }
  for (const section of rules) {
    const verdict = section?.kinds?.[kind];
    if (verdict !== undefined) return verdict !== 'deny';
  }
  return false;
}

/**
 * The magic bytes some key may have signed under this policy: a request starting with any
 * other byte is refused before it is even read.
 */
export function signableMagicBytes(policy: Policy): number[] {
  const chains: (KeyPolicy | undefined)[][] = [
    [policy.default, BAKER_DEFAULT_POLICY],
    ...Object.values(policy.keys ?? {}).map((own) => [own, policy.default, BAKER_DEFAULT_POLICY]),
  ];
  return [...KIND_OF_MAGIC_BYTE]
    .filter(([, kind]) => chains.some((chain) => mayPass(chain, kind)))
    .map(([byte]) => byte);
}


/** "michelson_data requests (0x05)", "transaction operations (0x03)": how refusals name what they refuse. */
export function describePolicyKind(kind: PolicyRequestKind | 'operation', operationKind?: string): string {
  const byte = [...KIND_OF_MAGIC_BYTE].find(([, named]) => named === kind)?.[0];
  const magic = byte === undefined ? '' : ` (${formatMagicByte(byte)})`;
  return operationKind === undefined ? `${kind} requests${magic}` : `${operationKind} operations${magic}`;
}
