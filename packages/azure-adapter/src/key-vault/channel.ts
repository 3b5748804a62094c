import { Agent, request as httpsRequest } from 'node:https';
import type { TokenCredential } from '@azure/core-auth';
import {
  createHttpHeaders,
  createPipelineRequest,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { keyVaultAuthenticationPolicy } from '@azure/keyvault-common';
import { VaultHttpError } from './error.js';

/** Sockets kept per vault: enough for a baker's bursts and the benchmark's 64 requests in flight. */
export const DEFAULT_VAULT_SOCKETS = 64;

/** The API version of the sign call: GA since 2023 and answered by vaults and Managed HSMs alike. */
const SIGN_API_VERSION = '7.5';

export interface VaultChannelOptions {
  readonly credential: TokenCredential;
  /** trust anchors and client certificate, as the SDK's tlsOptions */
  readonly tls?: TlsSettings;
  readonly maxSockets?: number;
  readonly disableChallengeResourceVerification?: boolean;
  readonly serviceVersion?: string;
}

/** A key's sign endpoint, worked out once per key. */
export interface SignEndpoint {
  readonly url: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
}

/**
 * The connection to one vault that signatures travel on: one keep-alive HTTPS agent (TLS is
 * negotiated once per socket, not per signature) and Key Vault's bearer challenge with its token
 * cache, done by the SDK's own authentication policy. A signature is then one POST written
 * straight on a pooled socket: the SDK's generic client pipeline (serializers, tracing, logging,
 * redirect and retry policies, per-request agent lookup) cost several times the request itself
 * in CPU, and tezsigner retries on its own, within a deadline.
 */
export class VaultChannel {
  readonly agent: Agent;
  private readonly auth: PipelinePolicy;
  private readonly apiVersion: string;

  constructor(options: VaultChannelOptions) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? DEFAULT_VAULT_SOCKETS,
      maxFreeSockets: options.maxSockets ?? DEFAULT_VAULT_SOCKETS,
      // the most recently used socket first: the spare ones idle out instead of all staying warm
      scheduling: 'lifo',
      // an idle socket is closed after a minute, or before the server's Keep-Alive timeout when
      // it sends one, so a request is not written on a socket the server is closing
      timeout: 60_000,
      ...options.tls,
    });
    this.auth = keyVaultAuthenticationPolicy(options.credential, {
      ...(options.disableChallengeResourceVerification === undefined ? {} : { disableChallengeResourceVerification: options.disableChallengeResourceVerification }),
    });
    this.apiVersion = options.serviceVersion ?? SIGN_API_VERSION;
  }

  /**
   * The sign endpoint of a key version, on the configured vault URL (not the kid the vault
   * answered: requests carrying the token go only where the operator pointed the signer).
   */
  signEndpoint(vaultUrl: string, name: string, version: string): SignEndpoint {
    const url = new URL(`/keys/${encodeURIComponent(name)}/${encodeURIComponent(version)}/sign`, vaultUrl);
    url.searchParams.set('api-version', this.apiVersion);
    return { url: url.href, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}` };
  }

  /** The raw r‖s the vault answers for a 32-byte digest; VaultHttpError for any other answer. */
  async sign(endpoint: SignEndpoint, algorithm: string, digest: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const request = createPipelineRequest({
      url: endpoint.url,
      method: 'POST',
      body: `{"alg":"${algorithm}","value":"${Buffer.from(digest).toString('base64url')}"}`,
      abortSignal: signal,
    });
    const response = await this.auth.sendRequest(request, (prepared) => this.send(endpoint, prepared));
    const body = parseBody(response.bodyAsText);
    if (response.status !== 200) throw VaultHttpError.fromAnswer(response.status, body, response.headers);
    const value = (body as { value?: unknown } | undefined)?.value;
    if (typeof value !== 'string') throw new VaultHttpError('the vault answered a signature without a value', { statusCode: response.status });
    return new Uint8Array(Buffer.from(value, 'base64url'));
  }

  close(): void {
    this.agent.destroy();
  }

  private send(endpoint: SignEndpoint, prepared: PipelineRequest): Promise<PipelineResponse> {
    const body = typeof prepared.body === 'string' ? prepared.body : '';
    const headers: Record<string, string> = { ...prepared.headers.toJSON(), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const signal = prepared.abortSignal;
      if (signal?.aborted === true) return reject(abortError());
      const req = httpsRequest({ agent: this.agent, host: endpoint.host, port: endpoint.port, path: endpoint.path, method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(networkError(err)));
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve({
            request: prepared,
            status: res.statusCode ?? 0,
            headers: createHttpHeaders(res.headers as Record<string, string>),
            bodyAsText: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      const onAbort = () => {
        req.destroy();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(networkError(err));
      });
      req.end(body);
    });
  }
}

function parseBody(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function abortError(): Error {
  const err = new Error('the request was aborted');
  err.name = 'AbortError';
  return err;
}

function networkError(err: Error & { code?: string }): VaultHttpError {
  return new VaultHttpError(err.message, err.code === undefined ? {} : { code: err.code });
}
