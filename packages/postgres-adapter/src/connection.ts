import { parseIntoClientConfig } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import { configInvalid } from '@tezsigner/core';

/** How a PostgreSQL store or ledger reaches its database. */
export interface PostgresConnectionOptions {
  /**
   * `postgres://user:password@host:5432/database?sslmode=verify-full&sslrootcert=/path/ca.pem`,
   * as node-postgres reads it (TLS through its `sslmode`, `sslrootcert`, `sslcert`, `sslkey`);
   * what it leaves out comes from node-postgres's `PG*` variables and `~/.pgpass`. Never printed.
   */
  readonly url: string;
  /** The PostgreSQL schema holding tezsigner's tables, created if missing (default `tezsigner`). */
  readonly schema?: string | undefined;
  /**
   * Deadline of each call, connecting, retries and the statement included (default 2500 ms):
   * past it the call fails closed with STORE_UNAVAILABLE, well inside a baker's round.
   */
  readonly timeoutMs?: number | undefined;
  /** Connections kept at most (default 8). */
  readonly maxConnections?: number | undefined;
}

export const DEFAULT_POSTGRES_SCHEMA = 'tezsigner';
export const DEFAULT_POSTGRES_TIMEOUT_MS = 2500;

/** What a connection goes to, for messages: never the password, nor the rest of the URL. */
export interface PostgresTarget {
  /** `PostgreSQL 127.0.0.1:5432/tezsigner (schema tezsigner)` */
  readonly description: string;
  readonly schema: string;
  /** whether the connection is TLS, or on this machine (loopback or a Unix socket) */
  readonly protected: 'tls' | 'local' | 'plain';
}

export interface ParsedConnection {
  readonly config: ClientConfig;
  readonly target: PostgresTarget;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1)$/;

/**
 * Reads the URL as node-postgres would, without ever echoing it (it may hold the password).
 * Plain TCP is refused beyond this machine unless the URL asks for it with `sslmode=disable`:
 * whoever sits between the signer and its marks could answer "committed" for a mark never stored.
 */
export function parseConnection(options: PostgresConnectionOptions, env: Readonly<Record<string, string | undefined>> = process.env): ParsedConnection {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw configInvalid(`${JSON.stringify(schema)} is not a schema name tezsigner uses (lower-case letters, digits and _, at most 63, not starting with a digit)`);
  }
  if (!/^postgres(ql)?:\/\//.test(options.url.trim())) {
    throw configInvalid('the PostgreSQL URL must start with postgres:// or postgresql:// (it is not shown here: it may hold a password)');
  }
  let config: ClientConfig;
  try {
    config = parseIntoClientConfig(options.url.trim());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // sslrootcert and the like are read here: their path is not secret, the URL is
    if (code !== undefined && typeof (err as NodeJS.ErrnoException).path === 'string') {
      throw configInvalid(`the PostgreSQL URL names a TLS file that cannot be read: ${(err as NodeJS.ErrnoException).path} [${code}]`);
    }
    throw configInvalid('the PostgreSQL URL is not a valid postgres:// URL (it is not shown here: it may hold a password)');
  }
  const host = typeof config.host === 'string' && config.host !== '' ? config.host : (env['PGHOST'] ?? 'localhost');
  const port = config.port ?? (env['PGPORT'] === undefined ? 5432 : Number(env['PGPORT']));
  const database = config.database ?? env['PGDATABASE'] ?? config.user ?? env['PGUSER'] ?? '';
  const tls = config.ssl !== undefined && config.ssl !== false ? true : config.ssl === undefined && tlsFromEnvironment(env);
  const local = host.startsWith('/') || LOOPBACK.test(host);
  const explicitlyPlain = /[?&]sslmode=disable(&|$)/.test(options.url);
  if (!tls && !local && !explicitlyPlain) {
    throw configInvalid(
      `the PostgreSQL URL reaches ${host} without TLS: add sslmode=verify-full (with sslrootcert=<CA file> for a private CA) to it, or sslmode=disable to accept a connection anyone on the path could tamper with`,
    );
  }
  const where = host.startsWith('/') ? `socket ${host}` : `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    config,
    target: { description: `PostgreSQL ${where}/${database} (schema ${schema})`, schema, protected: tls ? 'tls' : local ? 'local' : 'plain' },
  };
}

/** node-postgres turns TLS on from PGSSLMODE when the URL says nothing of it. */
function tlsFromEnvironment(env: Readonly<Record<string, string | undefined>>): boolean {
  const mode = env['PGSSLMODE'];
  return mode !== undefined && mode !== '' && mode !== 'disable';
}
