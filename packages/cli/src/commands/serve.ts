import { SignerService, TezsignerError, describeMagicByte } from '@tezsigner/core';
import { DEFAULT_HOST, DEFAULT_PORT, LOG_LEVELS, createRequestLogger, isLogLevel, startSignerServer } from '@tezsigner/http-server';
import type { Command } from 'commander';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';
import { addBackendOptions } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openBackends } from '../backends/registry.js';
import type { CliIo } from '../cli-io.js';
import { parsePort } from '../option-parsers.js';
import { SHUTDOWN_GRACE_MS } from '../shutdown.js';
import { addSigningPolicyOptions, signingPolicy, warnIfWatermarksOff } from '../signing-policy-options.js';

interface ServeOptions extends BackendOptions {
  readonly address: string;
  readonly port: string;
  readonly magicBytes: string;
  readonly checkHighWatermark?: boolean;
  readonly authorizedKeys?: string;
  readonly allowListKnownKeys?: boolean;
  readonly allowProvePossession?: boolean;
  readonly logLevel: string;
}

/** `tezsigner serve`: the octez remote-signer HTTP protocol over the chosen keys and watermarks. */
export function registerServeCommand(program: Command, io: CliIo): void {
  const command = program
    .command('serve')
    .description('serve the octez remote-signer HTTP protocol (octez-client, octez-baker, Taquito RemoteSigner)')
    .option('-a, --address <address>', 'address to listen on', DEFAULT_HOST)
    .option('-p, --port <port>', 'port to listen on', String(DEFAULT_PORT))
    .option('--authorized-keys <file>', 'require requests signed by one of these public keys (one per line, or octez\'s authorized_keys file)')
    .option('--allow-list-known-keys', 'serve GET /known_keys (lists every address of this signer)')
    .option('--allow-prove-possession', 'serve GET /bls_prove_possession/<tz4> (needed to reveal a tz4 key)')
    .option('--log-level <level>', `request log level (${LOG_LEVELS.join(', ')})`, 'info');
  addSigningPolicyOptions(addBackendOptions(command)).action((options: ServeOptions) => serve(options, io));
}

async function serve(options: ServeOptions, io: CliIo): Promise<void> {
  // Everything the user typed is checked before anything is opened or decrypted.
  const port = parsePort(options.port);
  const policy = signingPolicy(options);
  const logLevel = options.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new TezsignerError('CONFIG_INVALID', `--log-level ${JSON.stringify(logLevel)}: choose one of ${LOG_LEVELS.join(', ')}`);
  }
  const authorizedKeys = options.authorizedKeys === undefined ? [] : await readAuthorizedKeysFile(options.authorizedKeys);

  const backends = await openBackends(options, io);
  try {
    const keys = await backends.keys.listKeys();
    if (keys.length === 0) {
      throw new TezsignerError(
        'CONFIG_INVALID',
        'no key to serve: create one with `tezsigner init` (or `tezsigner keys generate --curve ed25519 --name baker`), or import one with `tezsigner keys import`, which reads the secret key from standard input or asks for it',
      );
    }
    const signer = new SignerService({ keys: backends.keys, watermarks: backends.watermarks, policy });
    const logger = createRequestLogger({ level: logLevel, write: (line) => io.stdout(line) });
    const server = await startSignerServer({
      signer,
      host: options.address,
      port,
      authorizedKeys,
      allowListKnownKeys: options.allowListKnownKeys === true,
      allowProvePossession: options.allowProvePossession === true,
      logger,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    });
    for (const key of keys) io.stderr(`tezsigner: key ${key.pkh} (${key.curve}${key.label === undefined ? '' : `, ${key.label}`})\n`);
    io.stderr(`tezsigner: magic bytes allowed: ${signer.policy.allowedMagicBytes.map(describeMagicByte).join(', ')}\n`);
    if (signer.policy.checkHighWatermark) io.stderr(`tezsigner: high watermarks: ${backends.watermarks.name} store\n`);
    warnIfWatermarksOff(signer.policy, io);
    io.stderr(`tezsigner: authentication: ${authorizedKeys.length === 0 ? 'off' : `${authorizedKeys.length} authorized key(s)`}\n`);
    if (!isLoopback(server.host) && authorizedKeys.length === 0) {
      io.stderr(`tezsigner: warning: listening on ${server.host} without --authorized-keys: anyone who reaches this port can ask for signatures\n`);
    }
    io.stderr(`tezsigner: listening on ${server.url}\n`);
    const signal = await io.waitForStop();
    io.stderr(`tezsigner: ${signal} received, finishing requests in flight (at most ${SHUTDOWN_GRACE_MS / 1000} s)\n`);
    await server.close();
    io.stderr('tezsigner: stopped\n');
  } finally {
    await backends.close();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
