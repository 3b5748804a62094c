import { Command, CommanderError } from 'commander';
import { productionAzureAccess, type AzureAccess } from './backends/azure-key-vault.js';
import type { CliIo } from './io/cli-io.js';
import { failureReport } from './io/describe-failure.js';
import { registerAzureCommands } from './commands/azure.js';
import { registerConfigCommands } from './commands/config.js';
import { registerConfirmCommand } from './commands/confirm.js';
import { registerImportCommands } from './commands/import.js';
import { registerInitCommand } from './commands/init.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerPkcs11Commands } from './commands/pkcs11.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSignCommand } from './commands/sign.js';
import { registerWatermarksCommands } from './commands/watermarks.js';
import { VERSION } from './version.js';

/** The `tezsigner` command line, writing only through `io`. */
export function buildProgram(io: CliIo, azureAccess: AzureAccess = productionAzureAccess): Command {
  const program = new Command('tezsigner')
    .description('A remote signer for Tezos bakers that never double-signs (octez remote-signer protocol).')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(text.startsWith('error: ') ? `tezsigner: ${text}` : text),
    });
  registerServeCommand(program, io);
  registerInitCommand(program, io);
  registerKeysCommands(program, io);
  registerSignCommand(program, io);
  registerConfirmCommand(program, io);
  registerWatermarksCommands(program, io);
  registerImportCommands(program, io);
  registerAzureCommands(program, io, azureAccess);
  registerPkcs11Commands(program, io);
  registerConfigCommands(program, io);
  return program;
}

/**
 * Runs one command line (without `node` and the script) and returns the exit code. Every
 * failure becomes one line on stderr: users get what went wrong and what to do, never a
 * stack trace (TEZSIGNER_DEBUG=1 adds it for developers).
 */
export async function runCli(args: readonly string[], io: CliIo, azureAccess?: AzureAccess): Promise<number> {
  try {
    await buildProgram(io, azureAccess).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (err) {
    // commander has already printed its own message (or the help / version it was asked for)
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(failureReport(err, io.env));
    return 1;
  }
}
