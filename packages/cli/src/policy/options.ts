import { AUTHENTICATION_MAGIC_BYTE, DEFAULT_MAGIC_BYTES, MAGIC_BYTES, configInvalid, formatMagicByte, parseMagicBytes, policyFromMagicBytes, signableMagicBytes, type Policy, type SignerPolicy } from '@tezsigner/core';
import type { Command } from 'commander';
import { readPolicyFile } from './file.js';
import type { CliIo } from '../io/cli-io.js';

export interface SigningPolicyOptions {
  readonly magicBytes?: string;
  readonly checkHighWatermark?: boolean;
  readonly policy?: string;
}

/** -M/--magic-bytes and -W/--no-check-high-watermark, as the seed project spelled them, and --policy. */
export function addSigningPolicyOptions(command: Command): Command {
  return command
    .option('-M, --magic-bytes <list>', `first bytes a request may start with, comma-separated (default: ${DEFAULT_MAGIC_BYTES.map(formatMagicByte).join(',')})`)
    .option('--policy <file>', 'per-key policy file (YAML or JSON): allow, confirm or deny per request and operation kind, with limits')
    .option('--audit-log <file>', 'where every decision is appended as a JSON line (default: <home>/audit.jsonl)')
    .option('-W, --check-high-watermark', 'refuse to sign twice at a level and round (on unless turned off)')
    .option('--no-check-high-watermark', 'sign without high watermarks: risks double signing');
}

export interface SigningPolicy {
  /** what the gatekeeper applies to each request */
  readonly policy: Policy;
  /** the magic bytes some key may have signed */
  readonly signable: readonly number[];
  /**
   * For SignerService: every kind reaches the gatekeeper, so that each refusal is audited and
   * names its rule (0x04 stays refused by the service itself).
   */
  readonly signer: SignerPolicy;
}

const ALL_SIGNABLE = [...MAGIC_BYTES.keys()].filter((byte) => byte !== AUTHENTICATION_MAGIC_BYTE);

/** The policy the options give: the --policy file, else --magic-bytes as a policy. */
export async function signingPolicy(options: SigningPolicyOptions): Promise<SigningPolicy> {
  if (options.policy !== undefined && options.magicBytes !== undefined) {
    throw configInvalid('give --policy or --magic-bytes, not both: a policy file says per kind what is signed');
  }
  // a policy that denies everything is valid: the emergency stop, at start and on SIGHUP
  const policy = options.policy === undefined ? magicBytesPolicy(options.magicBytes) : await readPolicyFile(options.policy);
  const signable = signableMagicBytes(policy);
  // only --no-check-high-watermark turns it off: commander leaves it undefined otherwise
  return { policy, signable, signer: { allowedMagicBytes: ALL_SIGNABLE, checkHighWatermark: options.checkHighWatermark !== false } };
}

/**
 * The policy of a magic-byte list, its source naming how to allow more: a refusal reads
 * `refused by policy rule default.michelson_data (magic bytes 0x11,0x12,0x13: …)`.
 */
function magicBytesPolicy(list: string | undefined): Policy {
  const bytes = parseMagicBytes(list ?? DEFAULT_MAGIC_BYTES.map(formatMagicByte).join(','));
  const shown = bytes.map(formatMagicByte).join(',');
  return { ...policyFromMagicBytes(bytes), source: `magic bytes ${shown}: add its byte to --magic-bytes, or allow it in a --policy file` };
}

/** The warning every command that signs gives when watermarks are off. */
export function warnIfWatermarksOff(policy: SignerPolicy, io: CliIo): void {
  if (!policy.checkHighWatermark) {
    io.stderr('tezsigner: warning: high watermarks are OFF (--no-check-high-watermark): nothing prevents double signing\n');
  }
}
