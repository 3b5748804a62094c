import { printable } from '@tezsigner/core';
import { Pkcs11KeyProvider, TOKEN_CURVES, describeSelector, generateTokenKey, type TokenCurve } from '@tezsigner/pkcs11-adapter';
import { Option, type Command } from 'commander';
import { addPkcs11TokenOptions, pkcs11Token, type Pkcs11Options } from '../backends/pkcs11-token.js';
import type { CliIo } from '../io/cli-io.js';
import { keyReport } from '../keys/report.js';

const ADDRESS_KIND: Record<TokenCurve, string> = { ed25519: 'tz1', secp256k1: 'tz2', p256: 'tz3' };

/** `tezsigner pkcs11 keys list|generate`: the Tezos keys of a PKCS#11 token. */
export function registerPkcs11Commands(program: Command, io: CliIo): void {
  const keys = program.command('pkcs11').description('manage the tz1/tz2/tz3 keys of a PKCS#11 HSM token').command('keys').description('list and generate token keys');

  addPkcs11TokenOptions(keys.command('list').description("list the token's keys that tezsigner signs with: address, public key, label")).action((options: Pkcs11Options) =>
    listKeys(options, io),
  );

  addPkcs11TokenOptions(
    keys
      .command('generate')
      .description('generate a key pair inside the token (a token object, sensitive, never extractable)')
      .addOption(new Option('--curve <curve>', TOKEN_CURVES.map((curve) => `${curve} (${ADDRESS_KIND[curve]})`).join(', ')).choices([...TOKEN_CURVES]).makeOptionMandatory())
      .requiredOption('--label <label>', 'CKA_LABEL of the new key (a label already on the token is refused)'),
  ).action((options: Pkcs11Options & { curve: TokenCurve; label: string }) => generateKey(options, io));
}

async function listKeys(options: Pkcs11Options, io: CliIo): Promise<void> {
  // the listing is printed below from what the provider found; its warnings (a slow token…) as they come
  const logger = { info: () => undefined, warn: (line: string) => io.stderr(`tezsigner: pkcs11: warning: ${line}\n`) };
  const token = await pkcs11Token(options, io);
  const provider = await Pkcs11KeyProvider.open({ ...token, maxSessions: 1, logger });
  try {
    const listing = provider.lastListing();
    io.stderr(`tezsigner: pkcs11: ${listing.found} private key(s) on the ${describeSelector(token.token)}: ${listing.keys.length} served, ${listing.skipped.length} skipped\n`);
    for (const skip of listing.skipped) io.stderr(`tezsigner: pkcs11: skipped ${skip.name}: ${skip.reason}\n`);
    const keys = await provider.listKeys();
    if (keys.length === 0) io.stdout('no Tezos keys on this token; generate one with: tezsigner pkcs11 keys generate --curve ed25519 --label baker\n');
    for (const key of keys) io.stdout(`${printable(key.label ?? key.pkh)}\n${keyReport(key)}`);
  } finally {
    await provider.close();
  }
}

async function generateKey(options: Pkcs11Options & { curve: TokenCurve; label: string }, io: CliIo): Promise<void> {
  const key = await generateTokenKey({ ...(await pkcs11Token(options, io)), curve: options.curve, label: options.label });
  io.stdout(`generated ${options.curve} key "${options.label}" on the token\n${keyReport(key)}`);
}
