import { DEFAULT_MAGIC_BYTES, formatMagicByte, parseMagicBytes, type SignerPolicy } from '@tezsigner/core';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';

/** -M/--magic-bytes and -W/--no-check-high-watermark, as the seed project spelled them. */
export function addSigningPolicyOptions(command: Command): Command {
  return command
    .option(
      '-M, --magic-bytes <list>',
      'first bytes a request may start with, comma-separated',
      DEFAULT_MAGIC_BYTES.map(formatMagicByte).join(','),
    )
    .option('-W, --check-high-watermark', 'refuse to sign twice at a level and round (on unless turned off)')
    .option('--no-check-high-watermark', 'sign without high watermarks: risks double signing');
}

export function signingPolicy(options: { magicBytes: string; checkHighWatermark?: boolean }): SignerPolicy {
  // only --no-check-high-watermark turns it off: commander leaves it undefined otherwise
  return { allowedMagicBytes: parseMagicBytes(options.magicBytes), checkHighWatermark: options.checkHighWatermark !== false };
}

/** The warning every command that signs gives when watermarks are off. */
export function warnIfWatermarksOff(policy: SignerPolicy, io: CliIo): void {
  if (!policy.checkHighWatermark) {
    io.stderr('tezsigner: warning: high watermarks are OFF (--no-check-high-watermark): nothing prevents double signing\n');
  }
}
