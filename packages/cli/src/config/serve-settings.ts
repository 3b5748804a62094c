import { TezsignerError, configInvalid } from '@tezsigner/core';
import { DEFAULT_METRICS_PORT, LOG_LEVELS, isLogLevel, type HttpLimits, type TlsFiles } from '@tezsigner/http-server';
import { parsePort } from '../option-parsers.js';
import { configSchema } from './config-schema.js';
import { settingValue, type EffectiveSetting } from './effective-config.js';

/** The serve options that are not backends or signing policy, after the file was merged in. */
export interface ServeListenOptions {
  readonly port: string;
  readonly logLevel: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsClientCa?: string;
  readonly chainId?: readonly string[];
  readonly metrics: boolean;
  readonly metricsAddress: string;
  readonly metricsPort: string;
}

export interface ServeSettings {
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly tls?: TlsFiles;
  readonly chainIds: readonly string[];
  readonly metrics?: { readonly host: string; readonly port: number };
  readonly limits: HttpLimits;
  readonly shutdownGraceMs: number;
  readonly readinessDeadlineMs: number;
}

const chainIds = configSchema.shape['chain-ids'].unwrap();

function tlsFiles(options: ServeListenOptions): TlsFiles | undefined {
  const { tlsCert: cert, tlsKey: key, tlsClientCa: clientCa } = options;
  if (cert === undefined && key === undefined) {
    if (clientCa !== undefined) throw configInvalid('--tls-client-ca needs --tls-cert and --tls-key: client certificates are checked by an HTTPS server');
    return undefined;
  }
  if (cert === undefined || key === undefined) throw configInvalid('give --tls-cert and --tls-key together (the certificate and its private key, PEM)');
  return clientCa === undefined ? { cert, key } : { cert, key, clientCa };
}

const limitOf = (settings: readonly EffectiveSetting[], name: string): number => Number(settingValue(settings, `limits.${name}`));

/** Checks what the flags and the file say about listening, before anything is opened. */
export function serveSettings(options: ServeListenOptions, settings: readonly EffectiveSetting[]): ServeSettings {
  const port = parsePort(options.port);
  const logLevel = options.logLevel;
  if (!isLogLevel(logLevel)) {
    throw new TezsignerError('CONFIG_INVALID', `--log-level ${JSON.stringify(logLevel)}: choose one of ${LOG_LEVELS.join(', ')}`);
  }
  const chains = chainIds.safeParse(options.chainId ?? []);
  if (!chains.success) {
    throw configInvalid(`--chain-id: ${(options.chainId ?? []).filter((id) => !chainIds.safeParse([id]).success).map((id) => JSON.stringify(id)).join(', ')} is not a chain id (Net…)`);
  }
  const limits: HttpLimits = {
    headersTimeoutMs: limitOf(settings, 'headers-timeout-ms'),
    requestTimeoutMs: limitOf(settings, 'request-timeout-ms'),
    keepAliveTimeoutMs: limitOf(settings, 'keep-alive-timeout-ms'),
    maxConnections: limitOf(settings, 'max-connections'),
    maxRequestsPerSocket: limitOf(settings, 'max-requests-per-socket'),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw configInvalid(`limits.headers-timeout-ms (${limits.headersTimeoutMs}) cannot exceed limits.request-timeout-ms (${limits.requestTimeoutMs})`);
  }
  const tls = tlsFiles(options);
  return {
    port,
    logLevel,
    ...(tls === undefined ? {} : { tls }),
    chainIds: chains.data,
    ...(options.metrics ? { metrics: { host: options.metricsAddress, port: metricsPort(options.metricsPort) } } : {}),
    limits,
    shutdownGraceMs: limitOf(settings, 'shutdown-grace-ms'),
    readinessDeadlineMs: limitOf(settings, 'readiness-deadline-ms'),
  };
}

function metricsPort(text: string): number {
  try {
    return parsePort(text);
  } catch {
    throw configInvalid(`--metrics-port ${JSON.stringify(text)} is not a port number (0 to 65535)`);
  }
}

export const DEFAULT_METRICS_PORT_TEXT = String(DEFAULT_METRICS_PORT);
