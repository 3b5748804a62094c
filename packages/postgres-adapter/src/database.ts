import pg from 'pg';
import type { PoolClient } from 'pg';
import { TezsignerError, configInvalid, storeUnavailable } from '@tezsigner/core';
import { DEFAULT_POSTGRES_TIMEOUT_MS, parseConnection, type PostgresConnectionOptions, type PostgresTarget } from './connection.js';
import { DeadlineError, isTransient, toStoreError } from './errors.js';
import { ensureSchema } from './schema.js';

/** The settings a store refuses to run without: each commit flushed before it is acknowledged. */
interface SessionSettings {
  /** the session's own (held for its lifetime once checked: see readSettings) */
  readonly synchronous_commit: string;
  /** what the server, database or role set, as a reload (or a new session) would have it now */
  readonly configured_synchronous_commit: string;
  readonly fsync: string;
  readonly transaction_read_only: string;
}

const DURABLE_COMMIT = new Set(['on', 'remote_apply']);
const RETRY_PAUSE_MS = 50;
const MAX_ATTEMPTS = 4;

/** How a setting found lax is told: CONFIG_INVALID at start (a setting to fix), STORE_UNAVAILABLE while serving. */
type SettingFault = (message: string) => TezsignerError;
// a setting changed while serving: the store is unusable until it is fixed, a fault of the
// store's (503), not of the request's; checkNow says it as the setting to fix
const servingFault: SettingFault = (message) => storeUnavailable(message);

/**
 * Refuses a session whose commits would be acknowledged before they are durable, or a database
 * now set so, as `fault` (CONFIG_INVALID unless told otherwise).
 */
export function checkSession(settings: SessionSettings, where: string, fault: SettingFault = configInvalid): void {
  const lax = [settings.synchronous_commit, settings.configured_synchronous_commit].find((value) => !DURABLE_COMMIT.has(value));
  if (lax !== undefined) {
    throw fault(
      `${where} has synchronous_commit = ${lax}: a commit could be acknowledged, and its signature sent, before its mark is on disk; set synchronous_commit = on (ALTER ROLE … SET synchronous_commit = on, or in postgresql.conf)`,
    );
  }
  if (settings.fsync !== 'on') throw fault(`${where} runs with fsync = ${settings.fsync}: nothing it stores survives a crash; set fsync = on`);
  if (settings.transaction_read_only !== 'off') throw new TezsignerError('STORE_UNAVAILABLE', `${where} is read-only (a standby?): marks cannot be written there`);
}

/**
 * A pool of connections to one database, shared by the calls of a store or ledger. Each call
 * has one deadline (connecting, retries and statements included), enforced three ways: by the
 * server (`lock_timeout` and `statement_timeout`, below the deadline, so that a statement stuck
 * on a lock is cancelled by the database itself and never lands after we gave up), and by the
 * client, which drops the connection when the deadline passes (a database that stopped
 * answering). Every new connection is checked for durable commits before its first use, and
 * the schema is made (or checked) before the first call.
 */
export class PostgresDatabase {
  readonly target: PostgresTarget;
  readonly timeoutMs: number;
  readonly #pool: pg.Pool;
  readonly #checked = new WeakSet<PoolClient>();
  #schemaReady = false;
  #closed = false;

  constructor(options: PostgresConnectionOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_POSTGRES_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 200) {
      throw configInvalid(`the PostgreSQL store's timeoutMs must be an integer of at least 200, got ${timeoutMs}`);
    }
    const { config, target } = parseConnection(options);
    this.target = target;
    this.timeoutMs = timeoutMs;
    // the server gives up on a statement well before the caller does, so it never lands after;
    // on a lock sooner still, so that a statement stuck behind another session says so
    const statementTimeoutMs = Math.max(100, Math.floor(timeoutMs * 0.6));
    const lockTimeoutMs = Math.max(50, Math.floor(timeoutMs * 0.4));
    this.#pool = new pg.Pool({
      ...config,
      max: options.maxConnections ?? 8,
      connectionTimeoutMillis: timeoutMs,
      idleTimeoutMillis: 60_000,
      // an idle connection to a database gone silent (a partition, a failover without a reset) is found dead by the OS
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: statementTimeoutMs,
      lock_timeout: lockTimeoutMs,
      idle_in_transaction_session_timeout: timeoutMs * 4,
      application_name: 'tezsigner',
    });
    // an idle connection cut by a restart of the database: the pool drops it, the next call opens another
    this.#pool.on('error', () => undefined);
  }

  get description(): string {
    return this.target.description;
  }

  /**
   * Runs `op` on a connection within the deadline, again on a fresh connection after a
   * transient fault while time is left. `what` names the call in messages.
   */
  async run<T>(what: string, op: (client: PoolClient) => Promise<T>, settingFault: SettingFault = servingFault): Promise<T> {
    const deadline = performance.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.#closed) throw new TezsignerError('STORE_UNAVAILABLE', `${what} in ${this.description}: closed`);
        return await this.#attempt(op, deadline, settingFault);
      } catch (err) {
        const left = deadline - performance.now();
        if (!isTransient(err) || attempt >= MAX_ATTEMPTS || left < RETRY_PAUSE_MS * 2) throw toStoreError(err, this.description, this.timeoutMs, what);
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
    }
  }

  /**
   * The session's settings, read now: the probe of readiness, and the check at start, where a
   * setting to fix is CONFIG_INVALID (a call while serving says STORE_UNAVAILABLE, see #attempt).
   */
  async checkNow(what: string): Promise<void> {
    await this.run(what, async (client) => checkSession(await readSettings(client), this.description), configInvalid);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #attempt<T>(op: (client: PoolClient) => Promise<T>, deadline: number, settingFault: SettingFault): Promise<T> {
    const left = deadline - performance.now();
    if (left <= 0) throw new DeadlineError();
    let expired = false;
    let client: PoolClient | undefined;
    const work = (async () => {
      const connected = await this.#pool.connect();
      if (expired) {
        connected.release(true);
        throw new DeadlineError();
      }
      client = connected;
      if (!this.#checked.has(connected)) {
        // a connection reset while it is out of the pool: its query fails, the event must not crash the process
        connected.on('error', () => undefined);
        checkSession(await readSettings(connected), this.description, settingFault);
        this.#checked.add(connected);
      }
      if (!this.#schemaReady) {
        await ensureSchema(connected, this.target.schema, this.description);
        this.#schemaReady = true;
      }
      return await op(connected);
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(new DeadlineError());
      }, left);
    });
    try {
      const result = await Promise.race([work, late]);
      client?.release();
      return result;
    } catch (err) {
      // whatever the connection was doing is abandoned with it (the server cancels it on its own timeouts)
      work.catch(() => undefined);
      client?.release(true);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The settings checkSession reads, in one round trip. The session's synchronous_commit is set
 * for its lifetime to the value read (set_config, not local): a reload of the server that turns
 * it off (ALTER SYSTEM, postgresql.conf) then cannot make a connection already checked
 * acknowledge commits early; what the server is configured with now is read beside it, for the
 * probe to tell.
 */
async function readSettings(client: PoolClient): Promise<SessionSettings> {
  const result = await client.query<SessionSettings>(
    "SELECT set_config('synchronous_commit', current_setting('synchronous_commit'), false) AS synchronous_commit, (SELECT reset_val FROM pg_settings WHERE name = 'synchronous_commit') AS configured_synchronous_commit, current_setting('fsync') AS fsync, current_setting('transaction_read_only') AS transaction_read_only",
  );
  const row = result.rows[0];
  if (row === undefined) throw new TezsignerError('STORE_UNAVAILABLE', 'the database answered no settings');
  return row;
}
