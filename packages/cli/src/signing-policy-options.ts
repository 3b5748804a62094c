import { DEFAULT_MAGIC_BYTES, formatMagicByte, parseMagicBytes, type SignerPolicy } from '@tezsigner/core';
import type { Command } from 'commander';

/** -M/--magic-bytes and -W/--no-check-high-watermark, as the seed project spelled them. */
export function addSigningPolicyOptions(command: Command): Command {
  return command
    .option(
      '-M, --magic-bytes <list>',
      'first bytes a request may start with, comma-separated',
      DEFAULT_MAGIC_BYTES.map(formatMagicByte).join(','),
    )
    .option('-W, --check-high-watermark', 'refuse to sign twice at a level and round (default)', true)
    .option('--no-check-high-watermark', 'sign without high watermarks: risks double signing');
}

export function signingPolicy(options: { magicBytes: string; checkHighWatermark: boolean }): SignerPolicy {
  return { allowedMagicBytes: parseMagicBytes(options.magicBytes), checkHighWatermark: options.checkHighWatermark };
}
