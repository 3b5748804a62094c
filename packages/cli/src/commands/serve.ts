import { SignerService, TezsignerError, describeMagicByte, type KeyInfo, type WatermarkStore } from '@tezsigner/core';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  LOG_LEVELS,
  SignerMetrics,
  createRequestLogger,
  instrumentKeyProvider,
  instrumentWatermarkStore,
  keyProviderProbe,
  readTlsMaterial,
  startHealthServer,
  startSignerServer,
  watermarkStoreProbe,
} from '@tezsigner/http-server';
import type { Command } from 'commander';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';
import { addBackendOptions } from '../backends/backend-command-options.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openHomeFolder } from '../backends/local-vault.js';
import { forgetPassphraseEnv } from '../backends/passphrase-file-mode.js';
import { openBackends } from '../backends/registry.js';
import type { CliIo } from '../cli-io.js';
import { describeFailure } from '../describe-failure.js';
import { loadServeConfig } from '../config/load-serve-config.js';
import { DEFAULT_METRICS_PORT_TEXT, serveSettings, type ServeListenOptions } from '../config/serve-settings.js';
import { ReloadRegistry } from '../reload/reloadable.js';
import { authorizedKeysReloadable, policyReloadable, tlsReloadable } from '../reload/server-reloadables.js';
import { onSighup } from '../reload/sighup.js';
import { addConfirmationOptions, parseConfirmTimeout, startConfirmations, type RunningConfirmations } from '../confirmations.js';
import { openSigningGate, type SigningGate } from '../signing-gate.js';
import { addSigningPolicyOptions, signingPolicy, warnIfWatermarksOff, type SigningPolicy, type SigningPolicyOptions } from '../signing-policy-options.js';
import { cryptoReport } from '../crypto-report.js';
import { coalescedWriter } from '../coalesced-writer.js';

interface ServeOptions extends BackendOptions, ServeListenOptions, SigningPolicyOptions {
  readonly config?: string;
  readonly address: string;
  readonly auditLog?: string;
  readonly confirmTimeout: string;
  readonly adminSocket?: string;
  readonly authorizedKeys?: string;
  readonly allowListKnownKeys?: boolean;
  readonly allowProvePossession?: boolean;
}

const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

/** The `serve` options, also parsed by `config show` to print what serve would use. */
export function addServeOptions(command: Command): Command {
  command
    .option('-c, --config <file>', 'YAML configuration file (flags and the environment override it; `tezsigner config show` prints the result)')
    .option('-a, --address <address>', 'address to listen on', DEFAULT_HOST)
    .option('-p, --port <port>', 'port to listen on', String(DEFAULT_PORT))
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; reloaded on SIGHUP)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM; reloaded on SIGHUP)')
    .option('--tls-client-ca <file>', 'require client certificates issued by these CAs (PEM)')
    .option('--authorized-keys <file>', 'require requests signed by one of these public keys (one per line, or octez\'s authorized_keys file; reloaded on SIGHUP)')
    .option('--chain-id <Net…>', 'sign consensus for this chain only (repeatable; default: any chain)', collect)
    .option('--allow-list-known-keys', 'serve GET /known_keys (lists every address of this signer)')
    .option('--allow-prove-possession', 'serve GET /bls_prove_possession/<tz4> (needed to reveal a tz4 key)')
    .option('--log-level <level>', `request log level (${LOG_LEVELS.join(', ')})`, 'info')
    .option('--metrics-address <address>', 'address of the /metrics, /healthz and /readyz listener', '127.0.0.1')
    .option('--metrics-port <port>', 'port of the /metrics, /healthz and /readyz listener', DEFAULT_METRICS_PORT_TEXT)
    .option('--no-metrics', 'no /metrics, /healthz and /readyz listener');
  return addConfirmationOptions(addSigningPolicyOptions(addBackendOptions(command)));
}

/** `tezsigner serve`: the octez remote-signer HTTP protocol over the chosen keys and watermarks. */
export function registerServeCommand(program: Command, io: CliIo): void {
  const command = program
    .command('serve')
    .description('serve the octez remote-signer HTTP protocol (octez-client, octez-baker, Taquito RemoteSigner)');
  addServeOptions(command).action((_options: ServeOptions, self: Command) => serve(self, io));
}

async function serve(command: Command, io: CliIo): Promise<void> {
  // Everything the user typed (and the file says) is checked before anything is opened or decrypted.
  const { settings, configFile } = await loadServeConfig(command, io);
  const options = command.opts<ServeOptions>();
  const listen = serveSettings(options, settings);
  const signing = await signingPolicy(options);
  const confirmTimeoutMs = parseConfirmTimeout(options.confirmTimeout);
  const authorizedKeys = options.authorizedKeys === undefined ? [] : await readAuthorizedKeysFile(options.authorizedKeys);
  const tls = listen.tls === undefined ? undefined : await readTlsMaterial(listen.tls);
  if (configFile !== undefined) io.stderr(`tezsigner: configuration: ${configFile}\n`);
  if (options.vault === 'azure' && options.watermarkStore === 'file') {
    io.stderr(
      'tezsigner: warning: --vault azure with the file watermark store: the marks live on this machine only; two machines serving the same HSM key can double-sign unless they share --watermark-store azure-table\n',
    );
  }

  const metrics = new SignerMetrics();
  const backends = await openBackends(options, countingRetries(io, metrics, options.vault));
  forgetPassphraseEnv(process.env);
  const reloads = new ReloadRegistry();
  const stopReloading = onSighup(() => void reloads.reloadAll((line) => io.stderr(`tezsigner: ${line}\n`)));
  let confirmations: RunningConfirmations | undefined;
  let gate: SigningGate | undefined;
  let stopLogging: () => void = () => undefined;
  try {
    const keys = await backends.keys.listKeys();
    if (keys.length === 0) {
      throw new TezsignerError(
        'CONFIG_INVALID',
        'no key to serve: create one with `tezsigner init` (or `tezsigner keys generate --curve ed25519 --name baker`), or import one with `tezsigner keys import`, which reads the secret key from standard input or asks for it',
      );
    }
    metrics.setKnownKeys(keys.map((key) => key.pkh));
    await seedHighWatermarks(metrics, backends.watermarks, io);
    confirmations = await startConfirmations(signing.policy, await openHomeFolder(options, io), { confirmTimeoutMs, adminSocket: options.adminSocket });
    gate = await openSigningGate(signing.policy, options, io, confirmations?.pending);
    const signer = new SignerService({
      keys: instrumentKeyProvider(backends.keys, metrics),
      watermarks: instrumentWatermarkStore(backends.watermarks, metrics),
      policy: signing.signer,
      gatekeeper: gate.gatekeeper,
    });
    // off the request's path: each line is written at the next turn of the event loop, together
    // with the others of that turn, and what is pending is written before the process stops
    const logOutput = coalescedWriter((text) => io.stdout(text));
    stopLogging = () => logOutput.flush();
    const logger = createRequestLogger({ level: listen.logLevel, write: logOutput.write });
    const server = await startSignerServer({
      signer,
      host: options.address,
      port: listen.port,
      authorizedKeys,
      allowListKnownKeys: options.allowListKnownKeys === true,
      allowProvePossession: options.allowProvePossession === true,
      allowedChainIds: listen.chainIds,
      logger,
      metrics,
      limits: listen.limits,
      shutdownGraceMs: listen.shutdownGraceMs,
      ...(tls === undefined ? {} : { tls }),
    });
    if (options.authorizedKeys !== undefined) reloads.add(authorizedKeysReloadable(options.authorizedKeys, server));
    if (listen.tls !== undefined) reloads.add(tlsReloadable(listen.tls, server));
    if (options.policy !== undefined) reloads.add(policyReloadable(options.policy, gate.gatekeeper, confirmations !== undefined));
    const health =
      listen.metrics === undefined
        ? undefined
        : await startHealthServer({
            metrics,
            probes: [keyProviderProbe(backends.keys), watermarkStoreProbe(backends.watermarks)],
            host: listen.metrics.host,
            port: listen.metrics.port,
            readinessDeadlineMs: listen.readinessDeadlineMs,
            logger,
          }).catch((err: unknown) => {
            // metrics serve the operator, signatures serve the chain: a taken port must not stop a baker
            io.stderr(`tezsigner: warning: no metrics and health listener: ${describeFailure(err)}\n`);
            return undefined;
          });
    reportStart(io, keys, signer, backends.watermarks, authorizedKeys.length, options, listen.chainIds);
    reportPolicy(io, signing, gate, confirmations, confirmTimeoutMs);
    if (health !== undefined) io.stderr(`tezsigner: metrics and health on ${health.url}/metrics, /healthz, /readyz\n`);
    io.stderr(`tezsigner: listening on ${server.url}\n`);
    const signal = await io.waitForStop();
    io.stderr(`tezsigner: ${signal} received, finishing requests in flight (at most ${listen.shutdownGraceMs} ms)\n`);
    // held requests are refused first, so their callers are answered before the server closes
    await confirmations?.close();
    await server.close();
    await health?.close();
    io.stderr('tezsigner: stopped\n');
  } finally {
    stopLogging();
    stopReloading();
    await confirmations?.close();
    await gate?.close();
    await backends.close();
  }
}

/**
 * The Key Vault adapter reports each retry as a warning line; counting those lines keeps the
 * adapter free of any metrics dependency.
 */
function countingRetries(io: CliIo, metrics: SignerMetrics, backend: string): CliIo {
  return {
    ...io,
    stderr: (text) => {
      if (/retrying in \d+ ms/.test(text)) metrics.backendRetries.inc({ backend });
      io.stderr(text);
    },
  };
}

/** The high watermark gauges start at the stored marks, not at zero after a restart. */
async function seedHighWatermarks(metrics: SignerMetrics, store: WatermarkStore, io: CliIo): Promise<void> {
  try {
    for (const { key, watermark } of await store.list()) metrics.observeHighWatermark(key.pkh, key.kind, watermark.level, watermark.round);
  } catch {
    io.stderr('tezsigner: warning: could not read the stored watermarks for the metrics; the gauges start with the first signature\n');
  }
}

function reportStart(
  io: CliIo,
  keys: readonly KeyInfo[],
  signer: SignerService,
  watermarks: WatermarkStore,
  authorizedKeyCount: number,
  options: ServeOptions,
  chainIds: readonly string[],
): void {
  for (const key of keys) io.stderr(`tezsigner: key ${key.pkh} (${key.curve}${key.label === undefined ? '' : `, ${key.label}`})\n`);
  if (signer.policy.checkHighWatermark) io.stderr(`tezsigner: high watermarks: ${watermarks.name} store\n`);
  warnIfWatermarksOff(signer.policy, io);
  for (const line of cryptoReport()) io.stderr(`tezsigner: ${line}\n`);
  io.stderr(`tezsigner: chains: ${chainIds.length === 0 ? 'any' : chainIds.join(', ')}\n`);
  io.stderr(`tezsigner: authentication: ${authorizedKeyCount === 0 ? 'off' : `${authorizedKeyCount} authorized key(s)`}\n`);
  if (!isLoopback(options.address) && authorizedKeyCount === 0) {
    io.stderr(`tezsigner: warning: listening on ${options.address} without --authorized-keys: anyone who reaches this port can ask for signatures\n`);
  }
}

function reportPolicy(io: CliIo, signing: SigningPolicy, gate: SigningGate, confirmations: RunningConfirmations | undefined, confirmTimeoutMs: number): void {
  io.stderr(`tezsigner: magic bytes allowed: ${signing.signable.map(describeMagicByte).join(', ')}\n`);
  io.stderr(`tezsigner: policy: ${signing.policy.source}; audit log: ${gate.auditPath}\n`);
  if (confirmations !== undefined) {
    io.stderr(`tezsigner: confirmations: tezsigner confirm (admin socket ${confirmations.socketPath}), refused after ${confirmTimeoutMs / 1000} s\n`);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
