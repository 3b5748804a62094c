import { SignerService, TezsignerError, hexToBytes, parseSignatureVersion, watermarkOf, type KeyProvider } from '@tezsigner/core';
import type { Command } from 'commander';
import { addBackendOptions } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openBackends } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { openSigningGate } from '../policy/signing-gate.js';
import { addSigningPolicyOptions, signingPolicy, warnIfWatermarksOff, type SigningPolicyOptions } from '../policy/options.js';

interface SignOptions extends BackendOptions, SigningPolicyOptions {
  readonly auditLog?: string;
  readonly signatureVersion?: string;
}

/**
 * `tezsigner sign <key> <hex>`: one signature through the same pipeline, keys and watermarks
 * as the server, so a signature made here counts against the high watermark too. The key is an
 * address or the name a key was stored under (`baker`, as `init` names it), so the README's
 * sample step can be pasted as it is.
 */
export function registerSignCommand(program: Command, io: CliIo): void {
  const command = program
    .command('sign')
    .description('sign bytes (hex, magic byte first) with a key, applying the same policy and watermarks as serve')
    .argument('<key>', 'address of the key (tz1…, tz2…, tz3…, tz4…), or its name (keys list)')
    .argument('<hex>', 'the bytes to sign, in hex')
    .option('--signature-version <n>', "octez's signature version (the ?version= of a sign request): 1 signs tz4 under BLS's augmented scheme, 2 and 3 (the default) under proof of possession");
  addSigningPolicyOptions(addBackendOptions(command)).action((pkh: string, hex: string, options: SignOptions) =>
    sign(pkh, hex, options, io),
  );
}

async function sign(pkh: string, hex: string, options: SignOptions, io: CliIo): Promise<void> {
  const { policy, signer: signerPolicy } = await signingPolicy(options);
  const bytes = hexToBytes(hex);
  const version = options.signatureVersion === undefined ? undefined : parseSignatureVersion(options.signatureVersion);
  warnIfWatermarksOff(signerPolicy, io);
  const backends = await openBackends(options, io);
  let gate: Awaited<ReturnType<typeof openSigningGate>> | undefined;
  try {
    // nobody can confirm a request here: what policy would hold is refused
    gate = await openSigningGate(policy, options, io);
    const signer = new SignerService({ keys: backends.keys, watermarks: backends.watermarks, policy: signerPolicy, gatekeeper: gate.gatekeeper });
    const result = await signer.sign(await addressOf(pkh, backends.keys), bytes, version === undefined ? {} : { version });
    const mark = watermarkOf(result.request);
    const where = mark === undefined ? '' : ` at level ${mark.level} round ${mark.round}`;
    io.stderr(
      result.outcome !== 'signed'
        ? `tezsigner: ${result.request.kind}${where} was signed before: the same signature again\n`
        : `tezsigner: signed ${result.request.kind}${where}\n`,
    );
    io.stdout(`${result.signature}\n`);
  } finally {
    await gate?.close();
    await backends.close();
  }
}

/** An address as it is; a name, as the address of the one key stored under that name. */
async function addressOf(key: string, keys: KeyProvider): Promise<string> {
  if (/^tz[1-4]/.test(key)) return key;
  const named = (await keys.listKeys()).filter((info) => info.label === key);
  if (named.length === 1 && named[0] !== undefined) return named[0].pkh;
  throw new TezsignerError('KEY_NOT_FOUND', `no key is named ${JSON.stringify(key)}: give its address (tz1…) or a name that \`tezsigner keys list\` shows`);
}
