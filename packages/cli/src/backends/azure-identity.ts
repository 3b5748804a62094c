import { createAzureCredential } from '@tezsigner/azure-adapter';
import type { Command } from 'commander';

/**
 * --azure-client-id: the one identity a signer uses for the vault and the table alike, so it is
 * declared once per command whichever of the two asks for it first.
 */
export function addAzureClientIdOption(command: Command): Command {
  if (command.options.some((option) => option.long === '--azure-client-id')) return command;
  return command.option('--azure-client-id <id>', 'client id of a user-assigned managed identity (default: the system-assigned one, or any DefaultAzureCredential source)');
}

/** The production credential: DefaultAzureCredential, with the user-assigned identity when one is named. */
export function azureCredential(clientId: string | undefined): ReturnType<typeof createAzureCredential> {
  return createAzureCredential(clientId === undefined ? {} : { clientId });
}
