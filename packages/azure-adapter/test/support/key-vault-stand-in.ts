import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createLoopbackCertificate } from './key-vault-certificate.js';
import { FaultPlan, type Fault, type Operation } from './key-vault-faults.js';
import { CURVES_OF_ALGORITHM, KeyVaultStore, curveOfJwk, type StoredKey } from './key-vault-store.js';
import { StaticTokenCredential } from './static-credential.js';

export interface RequestRecord {
  readonly method: string;
  /** path without the query */
  readonly path: string;
  readonly operation: Operation | undefined;
  /** whether it carried the expected bearer token (the SDK's first request does not) */
  readonly authorized: boolean;
  /** the status answered, or 'dropped' for a cut connection */
  status: number | 'dropped';
}

interface Route {
  readonly operation: Operation;
  readonly name?: string;
  readonly version?: string;
}

const PAGE_SIZE = 25;
const TENANT = '72f988bf-0000-4000-8000-000000000000';

/**
 * A stand-in for Azure Key Vault that the real @azure/keyvault-keys SDK talks to unchanged: the
 * REST subset tezsigner uses (list, get, create, import, sign) over HTTPS on 127.0.0.1 with a
 * certificate made at start, Key Vault's bearer challenge (401 + WWW-Authenticate) and one
 * static token. It signs with real keys and random nonces, and can be told to misbehave.
 */
export class KeyVaultStandIn {
  readonly vault = new KeyVaultStore();
  readonly requests: RequestRecord[] = [];
  /**
   * How long after a request arrives its answer leaves, the stand-in's own work included: a vault
   * 30 ms away answers 30 ms after it is asked, whatever its HSM took within that time.
   */
  latencyMs = 0;
  /** TLS handshakes completed: a client that reuses its connections adds one per socket, not per request */
  tlsConnections = 0;
  private readonly faults = new FaultPlan();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** the self-signed certificate, to be trusted by clients as their only CA */
    readonly certificate: string,
    readonly token: string,
  ) {}

  static async start(options: { token?: string } = {}): Promise<KeyVaultStandIn> {
    const { cert, key } = await createLoopbackCertificate();
    const server = createServer({ cert, key });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    // Never the reason a test process stays alive.
    server.unref();
    const { port } = server.address() as AddressInfo;
    const standIn = new KeyVaultStandIn(server, `https://127.0.0.1:${port}`, cert, options.token ?? 'stand-in-token');
    server.on('secureConnection', () => {
      standIn.tlsConnections += 1;
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      standIn.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { code: 'InternalError', message: String(err) } });
      });
    });
    return standIn;
  }

  /** A credential with the token this vault accepts. */
  credential(): StaticTokenCredential {
    return new StaticTokenCredential(this.token);
  }

  /** SDK client options that trust this vault's certificate and accept its 127.0.0.1 challenge. */
  clientOptions(): { tlsOptions: { ca: string }; disableChallengeResourceVerification: true } {
    return { tlsOptions: { ca: this.certificate }, disableChallengeResourceVerification: true };
  }

  /** Makes the next `times` authorized requests of `operation` fail this way. */
  inject(operation: Operation, fault: Fault, times = 1): void {
    this.faults.add(operation, fault, times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Requests of one operation that carried a token (the ones that reached the vault). */
  authorized(operation: Operation): RequestRecord[] {
    return this.requests.filter((r) => r.operation === operation && r.authorized);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let due = performance.now() + this.latencyMs;
    ANSWER_DUE.set(res, due);
    const url = new URL(req.url ?? '/', this.url);
    const route = parseRoute(req.method ?? 'GET', url.pathname);
    const body = await readBody(req);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      operation: route?.operation,
      authorized: req.headers.authorization === `Bearer ${this.token}`,
      status: 0,
    };
    this.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));

    if (!record.authorized) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`,
      );
      return json(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    }
    if (url.searchParams.get('api-version') === null) {
      return json(res, 400, { error: { code: 'BadParameter', message: 'api-version is required' } });
    }
    if (route === undefined) return json(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${url.pathname}` } });

    const fault = this.faults.take(route.operation);
    switch (fault?.kind) {
      case 'throttle':
        if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
        return json(res, 429, { error: { code: 'Throttled', message: 'Request was not processed because too many requests were received.' } });
      case 'status':
        return json(res, fault.status, { error: { code: 'InternalServerError', message: 'stand-in fault' } });
      case 'drop':
        record.status = 'dropped';
        await sleep(Math.max(0, due - performance.now()));
        req.socket.destroy();
        return;
      case 'delay':
        due += fault.ms;
        ANSWER_DUE.set(res, due);
        await sleep(fault.ms);
        break;
      default:
        break;
    }

    switch (route.operation) {
      case 'list':
        return this.list(res, url);
      case 'versions':
        return this.versions(res, route);
      case 'get':
        return this.get(res, route);
      case 'create':
        return this.create(res, route, parseJson(body));
      case 'import':
        return this.import(res, route, parseJson(body));
      case 'sign':
        return this.sign(res, route, parseJson(body), fault);
    }
  }

  private list(res: ServerResponse, url: URL): void {
    const size = Math.min(Number(url.searchParams.get('maxresults') ?? PAGE_SIZE), PAGE_SIZE);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const keys = this.vault.list();
    const page = keys.slice(skip, skip + size).map((key) => ({
      kid: `${this.url}/keys/${key.name}`,
      attributes: attributes(key),
      tags: {},
    }));
    const apiVersion = url.searchParams.get('api-version') ?? '';
    const nextLink =
      skip + size < keys.length ? `${this.url}/keys?api-version=${apiVersion}&$skiptoken=${skip + size}&maxresults=${size}` : null;
    json(res, 200, { value: page, nextLink });
  }

  /** Every version of one key (the original signer lists them to pick the current one): one page. */
  private versions(res: ServerResponse, route: Route): void {
    const versions = this.vault.versions(route.name ?? '');
    if (versions.length === 0) return notFound(res, route);
    json(res, 200, { value: versions.map((key) => ({ kid: kid(this.url, key), attributes: attributes(key), tags: {} })), nextLink: null });
  }

  private get(res: ServerResponse, route: Route): void {
    const key = this.vault.find(route.name ?? '', route.version ?? '');
    if (key === undefined) return notFound(res, route);
    json(res, 200, this.bundle(key));
  }

  private create(res: ServerResponse, route: Route, body: Record<string, unknown>): void {
    const curve = curveOfJwk(String(body['crv']));
    if ((body['kty'] !== 'EC' && body['kty'] !== 'EC-HSM') || curve === undefined) {
      return json(res, 400, { error: { code: 'BadParameter', message: `unsupported kty/crv ${String(body['kty'])}/${String(body['crv'])}` } });
    }
    const attrs = (body['attributes'] ?? {}) as Record<string, unknown>;
    const key = this.vault.generate({
      name: route.name ?? '',
      curve,
      crv: String(body['crv']),
      kty: String(body['kty']),
      keyOps: Array.isArray(body['key_ops']) ? body['key_ops'].map(String) : ['sign', 'verify'],
      exportable: attrs['exportable'] === true,
      enabled: attrs['enabled'] !== false,
    });
    json(res, 200, this.bundle(key));
  }

  private import(res: ServerResponse, route: Route, body: Record<string, unknown>): void {
    const jwk = (body['key'] ?? {}) as Record<string, unknown>;
    const curve = curveOfJwk(String(jwk['crv']));
    if (curve === undefined || typeof jwk['d'] !== 'string' || typeof jwk['x'] !== 'string' || typeof jwk['y'] !== 'string') {
      return json(res, 400, { error: { code: 'BadParameter', message: 'an EC private JWK (crv, d, x, y) is required' } });
    }
    const d = Buffer.from(jwk['d'], 'base64url');
    const point = (curve === 'secp256k1' ? secp256k1 : p256).getPublicKey(d, false);
    const given = Buffer.concat([Buffer.from(jwk['x'], 'base64url'), Buffer.from(jwk['y'], 'base64url')]);
    if (!given.equals(point.subarray(1))) {
      return json(res, 400, { error: { code: 'BadParameter', message: 'x and y do not match d' } });
    }
    const attrs = (body['attributes'] ?? {}) as Record<string, unknown>;
    const key = this.vault.generate({
      name: route.name ?? '',
      curve,
      crv: String(jwk['crv']),
      kty: body['Hsm'] === true ? 'EC-HSM' : 'EC',
      keyOps: Array.isArray(jwk['key_ops']) ? jwk['key_ops'].map(String) : ['sign', 'verify'],
      exportable: attrs['exportable'] === true,
      privateKey: d,
    });
    json(res, 200, this.bundle(key));
  }

  private sign(res: ServerResponse, route: Route, body: Record<string, unknown>, fault: Fault | undefined): void {
    const key = this.vault.find(route.name ?? '', route.version ?? '');
    if (key === undefined) return notFound(res, route);
    if (!key.enabled || !key.keyOps.includes('sign')) {
      return json(res, 403, { error: { code: 'Forbidden', message: 'Operation sign is not allowed on this key.' } });
    }
    const algorithm = String(body['alg']);
    const allowed = CURVES_OF_ALGORITHM[algorithm];
    if (allowed !== undefined && !allowed.includes(key.crv ?? '')) {
      // the vault's own words for a curve name and algorithm that do not go together
      const curves = allowed.map((name) => `'${name}'`).join(' or ');
      return json(res, 400, {
        error: {
          code: 'BadParameter',
          message: `Key and signing algorithm are incompatible. Key ${kid(this.url, key)} uses curve '${key.crv ?? ''}', and algorithm '${algorithm}' can only be used with curve ${curves}.`,
        },
      });
    }
    const digest = Buffer.from(String(body['value'] ?? ''), 'base64url');
    if (curveOfJwk(key.crv) === undefined || allowed === undefined || digest.length !== 32) {
      return json(res, 400, { error: { code: 'BadParameter', message: `algorithm ${algorithm} / digest of ${digest.length} bytes not valid for ${key.crv}` } });
    }
    if (key.d === undefined) {
      return json(res, 400, { error: { code: 'BadParameter', message: 'this stand-in key has no private part' } });
    }
    const signature = this.vault.sign(key, digest, { forceHighS: fault?.kind === 'high-s', wrong: fault?.kind === 'wrong-signature' });
    const value = fault?.kind === 'malformed-signature' ? signature.subarray(0, signature.length - 3) : signature;
    json(res, 200, { kid: kid(this.url, key), value: Buffer.from(value).toString('base64url') });
  }

  private bundle(key: StoredKey): unknown {
    const b64 = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('base64url'));
    return {
      key: { kid: kid(this.url, key), kty: key.kty, key_ops: key.keyOps, crv: key.crv, x: b64(key.x), y: b64(key.y), n: b64(key.n), e: b64(key.e) },
      attributes: attributes(key),
      tags: {},
    };
  }
}

function kid(base: string, key: StoredKey): string {
  return `${base}/keys/${key.name}/${key.version}`;
}

function attributes(key: StoredKey): Record<string, unknown> {
  return {
    enabled: key.enabled,
    created: key.created,
    updated: key.created,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
    exportable: key.exportable,
  };
}

function parseRoute(method: string, pathname: string): Route | undefined {
  const parts = pathname.split('/').slice(1).map(decodeURIComponent);
  if (parts[0] !== 'keys') return undefined;
  const [, name, second, third] = parts;
  if (name === undefined || name === '') return method === 'GET' ? { operation: 'list' } : undefined;
  if (method === 'PUT' && (second === undefined || second === '')) return { operation: 'import', name };
  if (method === 'POST' && second === 'create' && third === undefined) return { operation: 'create', name };
  if (method === 'POST' && third === 'sign') return { operation: 'sign', name, version: second ?? '' };
  if (method === 'GET' && second === 'versions' && third === undefined) return { operation: 'versions', name };
  if (method === 'GET' && third === undefined) return { operation: 'get', name, version: second ?? '' };
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function notFound(res: ServerResponse, route: Route): void {
  json(res, 404, { error: { code: 'KeyNotFound', message: `A key with (name/id) ${route.name ?? ''}/${route.version ?? ''} was not found in this key vault.` } });
}

/** When each answer may leave (see latencyMs). */
const ANSWER_DUE = new WeakMap<ServerResponse, number>();

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const send = () => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const wait = (ANSWER_DUE.get(res) ?? 0) - performance.now();
  if (wait > 0) setTimeout(send, wait);
  else send();
}
