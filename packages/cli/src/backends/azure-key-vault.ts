import {
  AzureKeyVaultProvider,
  DEFAULT_SIGN_DEADLINE_MS,
  resolveVaultUrl,
  type PinnedKey,
  type VaultConnection,
} from '@tezsigner/azure-adapter';
import { TezsignerError, type KeyProvider } from '@tezsigner/core';
import type { Command } from 'commander';
import type { CliIo } from '../io/cli-io.js';
import { addAzureClientIdOption, azureCredential } from './azure-identity.js';
import type { Backend } from './backend.js';

/** The --azure-* options, as commander hands them over. */
export interface AzureOptions {
  readonly azureVaultUrl?: string;
  readonly azureClientId?: string;
  readonly azureKey?: readonly string[];
  readonly azureDeadlineMs?: string;
}

/**
 * How the CLI reaches Azure: who it is and how the SDK connects. Production uses
 * DefaultAzureCredential (managed identity on an Azure VM) and the SDK's defaults; an end-to-end
 * test swaps in a static test token and its stand-in's certificate by registering
 * `azureVault(itsAccess)` in the registry, so the shipped binary has no test-credential path.
 */
export interface AzureAccess {
  readonly credential: (clientId: string | undefined) => VaultConnection['credential'];
  readonly clientOptions?: VaultConnection['clientOptions'];
}

export const productionAzureAccess: AzureAccess = { credential: azureCredential };

const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

/** --azure-vault-url and --azure-client-id: which vault and which identity (admin commands too). */
export function addAzureConnectionOptions(command: Command): Command {
  return addAzureClientIdOption(
    command.option('--azure-vault-url <url>', 'Key Vault or Managed HSM URL, https://<name>.vault.azure.net (default: $AZURE_KEYVAULT_URI)'),
  );
}

/** The options of `--vault azure`. */
export function addAzureVaultOptions(command: Command): Command {
  return addAzureConnectionOptions(command)
    .option('--azure-key <name[/version]>', 'with --vault azure: sign only with this vault key (repeatable; default: every usable key)', collect)
    .option('--azure-deadline-ms <ms>', `with --vault azure: time a signature may take, retries included, before failing closed (default ${DEFAULT_SIGN_DEADLINE_MS})`);
}

export function azureConnection(options: AzureOptions, io: CliIo, access: AzureAccess): VaultConnection {
  const vaultUrl = resolveVaultUrl(options.azureVaultUrl, io.env);
  return {
    vaultUrl,
    credential: access.credential(options.azureClientId),
    ...(access.clientOptions === undefined ? {} : { clientOptions: access.clientOptions }),
  };
}

/** `--azure-key baker` or `--azure-key baker/0123abcd…` */
export function parsePinnedKeys(values: readonly string[] | undefined): PinnedKey[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.map((value) => {
    const match = /^([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]+))?$/.exec(value);
    if (match === null) throw new TezsignerError('CONFIG_INVALID', `--azure-key ${JSON.stringify(value)}: expected <name> or <name>/<version>`);
    const [, name = '', version] = match;
    return version === undefined ? { name } : { name, version };
  });
}

function parseDeadline(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 100 || Number(text) > 60_000) {
    throw new TezsignerError('CONFIG_INVALID', `--azure-deadline-ms ${JSON.stringify(text)}: a number of milliseconds from 100 to 60000`);
  }
  return Number(text);
}

/** `--vault azure`: tz2/tz3 keys in Azure Key Vault or a Managed HSM. */
export function azureVault(access: AzureAccess = productionAzureAccess): Backend<KeyProvider> {
  return {
    description: 'tz2/tz3 keys in Azure Key Vault or Managed HSM (--azure-vault-url)',
    open: async (options, io) => {
      const azure = options as AzureOptions;
      const pinnedKeys = parsePinnedKeys(azure.azureKey);
      const deadlineMs = parseDeadline(azure.azureDeadlineMs);
      return new AzureKeyVaultProvider({
        ...azureConnection(azure, io, access),
        ...(pinnedKeys === undefined ? {} : { pinnedKeys }),
        ...(deadlineMs === undefined ? {} : { deadlineMs }),
        logger: {
          info: (line) => io.stderr(`tezsigner: azure: ${line}\n`),
          warn: (line) => io.stderr(`tezsigner: azure: warning: ${line}\n`),
        },
      });
    },
  };
}
