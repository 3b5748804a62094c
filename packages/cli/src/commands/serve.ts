import { SignerService, TezsignerError, describeMagicByte, printable, type KeyInfo, type SpendingLedger, type WatermarkStore } from '@tezsigner/core';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  LOG_LEVELS,
  SignerMetrics,
  createRequestLogger,
  instrumentKeyProvider,
  instrumentWatermarkStore,
  auditLogProbe,
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
import { forgetPinEnv } from '../backends/pkcs11-token.js';
import { openHomeFolder } from '../backends/local-vault.js';
import { forgetPassphraseEnv } from '../backends/passphrase-file-mode.js';
import { openBackends } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { describeFailure } from '../io/describe-failure.js';
import { loadServeConfig } from '../config/load-serve-config.js';
import { DEFAULT_METRICS_PORT_TEXT, serveSettings, type ServeListenOptions } from '../config/serve-settings.js';
import { ReloadRegistry } from '../reload/reloadable.js';
import { authorizedKeysReloadable, policyReloadable, tlsReloadable } from '../reload/server-reloadables.js';
import { onSighup } from '../reload/sighup.js';
import { addConfirmationOptions, parseConfirmTimeout, parseMaxHeld, prepareConfirmations, type PreparedConfirmations } from '../policy/confirmations.js';
import type { RunningAdminServer } from '@tezsigner/http-server';
import { openSigningGate, type SigningGate } from '../policy/signing-gate.js';
import { addSigningPolicyOptions, signingPolicy, warnIfWatermarksOff, type SigningPolicy, type SigningPolicyOptions } from '../policy/options.js';
import { cryptoReport } from '../crypto-report.js';
import { refuseOpenTlsFiles } from '../io/file-mode.js';
import { coalescedWriter } from '../io/coalesced-writer.js';
import { openSpendingLedger } from '../backends/spending-ledger.js';
import { spendingGauges } from '../policy/spending-gauges.js';
import { VERSION } from '../version.js';
import { shellWord } from '../io/shell-word.js';

interface ServeOptions extends BackendOptions, ServeListenOptions, SigningPolicyOptions {
  readonly config?: string;
  readonly address: string;
  readonly auditLog?: string;
  readonly confirmTimeout: string;
  readonly maxHeld: string;
  readonly adminSocket?: string;
  readonly approverKeys?: string;
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
  const maxHeld = parseMaxHeld(options.maxHeld);
  const authorizedKeys = options.authorizedKeys === undefined ? [] : await readAuthorizedKeysFile(options.authorizedKeys);
  if (listen.tls !== undefined) await refuseOpenTlsFiles(listen.tls);
  const tls = listen.tls === undefined ? undefined : await readTlsMaterial(listen.tls);
  if (configFile !== undefined) io.stderr(`tezsigner: configuration: ${configFile}\n`);
  if (options.vault !== 'local' && options.watermarkStore === 'file') {
    io.stderr(
      `tezsigner: warning: --vault ${options.vault} with the file watermark store: the marks live on this machine only; two machines serving the same HSM key can double-sign unless they share --watermark-store azure-table or postgres\n`,
    );
  }

  const metrics = new SignerMetrics({ version: VERSION });
  const retries = countingRetries(io, metrics);
  const backends = await openBackends({ ...options, openKeysInBackground: true }, retries.io);
  retries.countAs(backends.keys.name);
  metrics.watchBackendFaults(backends.keys);
  forgetPassphraseEnv(process.env);
  forgetPinEnv(process.env);
  const reloads = new ReloadRegistry();
  const stopReloading = onSighup(() => void reloads.reloadAll((line) => io.stderr(`tezsigner: ${line}\n`)));
  let confirmations: PreparedConfirmations | undefined;
  let admin: RunningAdminServer | undefined;
  let gate: SigningGate | undefined;
  let spendingForMetrics: SpendingLedger | undefined;
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
    for (const pkh of Object.keys(signing.policy.keys ?? {})) {
      if (!keys.some((key) => key.pkh === pkh)) io.stderr(`tezsigner: warning: the policy ${signing.policy.source} has rules for ${pkh}, a key this signer does not serve (a typo?)\n`);
    }
    await seedHighWatermarks(metrics, backends.watermarks, io);
    confirmations = await prepareConfirmations(signing.policy, await openHomeFolder(options, io), {
      confirmTimeoutMs,
      maxHeld,
      adminSocket: options.adminSocket,
      approverKeys: options.approverKeys,
      onAbandoned: (hash, summary) => io.stderr(`tezsigner: held request ${hash} dropped, its client disconnected: ${summary}\n`),
    });
    gate = await openSigningGate(signing.policy, options, io, confirmations?.pending);
    // with no metrics listener, nothing would read them
    if (listen.metrics !== undefined) spendingForMetrics = await watchOperatorGauges(metrics, { keys, gate, confirmations, options, io });
    const signer = new SignerService({
      keys: instrumentKeyProvider(backends.keys, metrics),
      watermarks: instrumentWatermarkStore(backends.watermarks, metrics),
      policy: signing.signer,
      gatekeeper: gate.gatekeeper,
    });
    await prepareKeys(signer, keys, io);
    // off the request's path: lines go out together, within 20 ms (coalesced-writer.ts), and
    // what is pending is written before the process stops
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
    // the admin socket and its token appear only once the signer is sure to run
    admin = await confirmations?.open(gate.audit).catch(async (err: unknown) => {
      await server.close();
      throw err;
    });
    if (options.authorizedKeys !== undefined) reloads.add(authorizedKeysReloadable(options.authorizedKeys, server));
    if (listen.tls !== undefined) reloads.add(tlsReloadable(listen.tls, server));
    if (options.policy !== undefined) reloads.add(policyReloadable(options.policy, gate.gatekeeper, confirmations !== undefined));
    const health =
      listen.metrics === undefined
        ? undefined
        : await startHealthServer({
            metrics,
            probes: [keyProviderProbe(backends.keys), watermarkStoreProbe(backends.watermarks), auditLogProbe(gate.audit)],
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
    reportPolicy(io, signing, gate, admin, confirmations?.approverKeyCount ?? 0, confirmTimeoutMs, options);
    if (health !== undefined) io.stderr(`tezsigner: metrics and health on ${health.url}/metrics, /healthz, /readyz\n`);
    io.stderr(`tezsigner: listening on ${server.url} (Ctrl-C or SIGTERM stops it)\n`);
    reportNextSteps(io, keys, server.url);
    const signal = await io.waitForStop();
    io.stderr(`tezsigner: ${signal} received, finishing requests in flight (at most ${listen.shutdownGraceMs} ms)\n`);
    // held requests are refused first, so their callers are answered before the server closes
    confirmations?.pending.close();
    await server.close();
    await health?.close();
    io.stderr('tezsigner: stopped\n');
  } finally {
    stopLogging();
    stopReloading();
    confirmations?.pending.close();
    await admin?.close();
    await gate?.close();
    await spendingForMetrics?.close?.();
    await backends.close();
  }
}

/**
 * The gauges read at each scrape: held requests (when the policy can hold any) and each key's
 * spending against its 24 h caps, from a ledger of their own (returned, to be closed).
 */
async function watchOperatorGauges(
  metrics: SignerMetrics,
  from: { keys: readonly KeyInfo[]; gate: SigningGate; confirmations: PreparedConfirmations | undefined; options: ServeOptions; io: CliIo },
): Promise<SpendingLedger> {
  const pending = from.confirmations?.pending;
  if (pending !== undefined) metrics.watchHeldRequests(() => ({ held: pending.list().length, max: pending.maxHeld }));
  const ledger = await openSpendingLedger(from.options, from.io);
  const { gatekeeper } = from.gate;
  metrics.watchSpending(
    spendingGauges({
      ledger,
      keys: from.keys.map((key) => key.pkh),
      policy: () => gatekeeper.policy,
      onFailure: (err) => from.io.stderr(`tezsigner: warning: the spending gauges could not read the ledger (they keep their last values): ${describeFailure(err)}\n`),
    }),
  );
  return ledger;
}

/**
 * The Key Vault adapter reports each retry as a warning line; counting those lines keeps the
 * adapter free of any metrics dependency. They are counted under the backend's own name, as its
 * other metrics are: the retries of its opening (listing the keys), before that name is known,
 * once it is; from then on the counter is there, at 0 until a retry, for a dashboard to show.
 */
function countingRetries(io: CliIo, metrics: SignerMetrics): { io: CliIo; countAs(backend: string): void } {
  let backend: string | undefined;
  let beforeOpen = 0;
  return {
    io: {
      ...io,
      stderr: (text) => {
        if (/retrying in \d+ ms/.test(text)) {
          if (backend === undefined) beforeOpen++;
          else metrics.backendRetries.inc({ backend });
        }
        io.stderr(text);
      },
    },
    countAs(name) {
      backend = name;
      metrics.backendRetries.inc({ backend }, beforeOpen);
    },
  };
}

const PREPARED_PER_TURN = 16;

/**
 * Every key's first-signature work (SignerService.prepareKey), done before listening, a few keys
 * per turn of the event loop so that the keys being decrypted in the background go on meanwhile.
 * A key that fails is said, and only its own requests fail (closed, with the same error).
 */
async function prepareKeys(signer: SignerService, keys: readonly KeyInfo[], io: CliIo): Promise<void> {
  for (const [at, key] of keys.entries()) {
    try {
      signer.prepareKey(key);
    } catch (err) {
      io.stderr(`tezsigner: warning: key ${key.pkh} cannot sign as its backend lists it: ${describeFailure(err)}\n`);
    }
    if (at % PREPARED_PER_TURN === PREPARED_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The high watermark gauges start at the stored marks, not at zero after a restart. */
async function seedHighWatermarks(metrics: SignerMetrics, store: WatermarkStore, io: CliIo): Promise<void> {
  try {
    for (const { key, watermark } of await store.list()) metrics.observeHighWatermark(key.pkh, key.kind, watermark.level, watermark.round);
  } catch (err) {
    // the key whose mark cannot be read fails closed on its own; say which file, and why, now
    io.stderr(`tezsigner: warning: could not read the stored watermarks for the metrics (${describeFailure(err)}); the gauges start with the first signature\n`);
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
  for (const key of keys) io.stderr(`tezsigner: key ${key.pkh} (${key.curve}${key.label === undefined ? '' : `, ${printable(key.label)}`})\n`);
  if (signer.policy.checkHighWatermark) io.stderr(`tezsigner: high watermarks: ${watermarks.name} store\n`);
  warnIfWatermarksOff(signer.policy, io);
  for (const line of cryptoReport()) io.stderr(`tezsigner: ${line}\n`);
  io.stderr(`tezsigner: chains: ${chainIds.length === 0 ? 'any' : chainIds.join(', ')}\n`);
  io.stderr(`tezsigner: authentication: ${authorizedKeyCount === 0 ? 'off' : `${authorizedKeyCount} authorized key(s)`}\n`);
  if (!isLoopback(options.address) && authorizedKeyCount === 0) {
    io.stderr(`tezsigner: warning: listening on ${options.address} without --authorized-keys: anyone who reaches this port can ask for signatures\n`);
  }
}

function reportPolicy(io: CliIo, signing: SigningPolicy, gate: SigningGate, admin: RunningAdminServer | undefined, approverKeyCount: number, confirmTimeoutMs: number, options: ServeOptions): void {
  const kinds = signing.signable.map(describeMagicByte).join(', ');
  const rule =
    options.policy !== undefined
      ? `as the policy file ${options.policy} says, at most: ${kinds}`
      : `${kinds}; anything else is refused${options.magicBytes === undefined ? ' (the default; --magic-bytes or --policy widens it)' : ''}`;
  io.stderr(`tezsigner: signs: ${rule}\n`);
  io.stderr(`tezsigner: audit log: ${gate.auditPath}\n`);
  if (options.allowListKnownKeys === true) {
    io.stderr('tezsigner: warning: GET /known_keys is on (--allow-list-known-keys): anyone who reaches the port can list every address served here; turn it off after use\n');
  }
  if (options.allowProvePossession === true) {
    io.stderr('tezsigner: warning: GET /bls_prove_possession is on (--allow-prove-possession): turn it off once the tz4 key is revealed\n');
  }
  if (admin !== undefined) {
    const approvals = approverKeyCount === 0 ? 'any holder of the token' : `${approverKeyCount} approver key(s)`;
    io.stderr(`tezsigner: confirmations: tezsigner confirm (admin socket ${admin.socketPath}), approved by ${approvals}, refused after ${confirmTimeoutMs / 1000} s\n`);
  }
}

/**
 * What a newcomer does next: point octez-client at each key (its alias: the key's name, a word
 * of the shell even when an HSM's label holds spaces, quotes or control characters).
 */
function reportNextSteps(io: CliIo, keys: readonly KeyInfo[], url: string): void {
  for (const key of keys) io.stderr(`tezsigner: next, on the baker's machine: octez-client import secret key ${shellWord(printable(key.label ?? 'baker'))} ${url}/${key.pkh}\n`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
