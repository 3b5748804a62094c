import { MemoryWatermarkStore, SignerService } from '@tezsigner/core';
import type { Command } from 'commander';
import { addHomeOptions, addVaultOption } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openKeyProvider } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';

/**
 * `tezsigner keys prove-possession <tz4>`: octez's `create bls proof`, offline. A tz4 key is
 * revealed, or registered as a consensus or companion key, with this proof; here it is made
 * without serving `GET /bls_prove_possession` to anyone who can reach the signer.
 */
export function registerProvePossessionCommand(keys: Command, io: CliIo): void {
  addVaultOption(
    addHomeOptions(
      keys
        .command('prove-possession')
        .description('print the BLS proof of possession of a tz4 key (octez-client create bls proof), for its reveal or to make it a consensus or companion key')
        .argument('<tz4>', 'address of the tz4 key'),
    ),
  ).action((pkh: string, options: BackendOptions) => provePossession(pkh, options, io));
}

async function provePossession(pkh: string, options: BackendOptions, io: CliIo): Promise<void> {
  const keys = await openKeyProvider(options, io);
  try {
    // the service checks the key is tz4 and verifies the proof before it is printed; no mark is read or moved
    const signer = new SignerService({ keys, watermarks: new MemoryWatermarkStore() });
    const proof = await signer.proveProofOfPossession(pkh);
    io.stdout(`${proof}\n`);
    io.stderr(`tezsigner: proof of possession of ${pkh} (${await signer.getPublicKey(pkh)})\n`);
  } finally {
    await keys.close?.();
  }
}
