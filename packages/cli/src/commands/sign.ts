import { SignerService, hexToBytes, watermarkOf } from '@tezsigner/core';
import type { Command } from 'commander';
import { addBackendOptions } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openBackends } from '../backends/registry.js';
import type { CliIo } from '../cli-io.js';
import { addSigningPolicyOptions, signingPolicy, warnIfWatermarksOff } from '../signing-policy-options.js';

interface SignOptions extends BackendOptions {
  readonly magicBytes: string;
  readonly checkHighWatermark?: boolean;
}

/**
 * `tezsigner sign <pkh> <hex>`: one signature through the same pipeline, keys and watermarks
 * as the server, so a signature made here counts against the high watermark too.
 */
export function registerSignCommand(program: Command, io: CliIo): void {
  const command = program
    .command('sign')
    .description('sign bytes (hex, magic byte first) with a key, applying the same policy and watermarks as serve')
    .argument('<pkh>', 'address of the key (tz1…, tz2…, tz3…, tz4…)')
    .argument('<hex>', 'the bytes to sign, in hex');
  addSigningPolicyOptions(addBackendOptions(command)).action((pkh: string, hex: string, options: SignOptions) =>
    sign(pkh, hex, options, io),
  );
}

async function sign(pkh: string, hex: string, options: SignOptions, io: CliIo): Promise<void> {
  const policy = signingPolicy(options);
  const bytes = hexToBytes(hex);
  warnIfWatermarksOff(policy, io);
  const backends = await openBackends(options, io);
  try {
    const signer = new SignerService({ keys: backends.keys, watermarks: backends.watermarks, policy });
    const result = await signer.sign(pkh, bytes);
    const mark = watermarkOf(result.request);
    const where = mark === undefined ? '' : ` at level ${mark.level} round ${mark.round}`;
    io.stderr(
      result.outcome === 'repeated'
        ? `tezsigner: ${result.request.kind}${where} was signed before: the same signature again\n`
        : `tezsigner: signed ${result.request.kind}${where}\n`,
    );
    io.stdout(`${result.signature}\n`);
  } finally {
    await backends.close();
  }
}
