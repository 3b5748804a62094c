import { badRequest, compareMarks, storeUnavailable, watermarkKeyId } from '@tezsigner/core';
import type { CommitResult, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkStore } from '@tezsigner/core';
import type { PoolClient } from 'pg';
import type { PostgresConnectionOptions } from './connection.js';
import { PostgresDatabase } from './database.js';
import { assertStorableMark, fromRow, keyColumns, type WatermarkRow } from './rows.js';
import { tablesOf } from './schema.js';

/** Beyond this many rows vanishing under a commit something is wrong; fail closed rather than spin. */
const MAX_ATTEMPTS = 8;
const COLUMNS = 'pkh, chain_id, kind, level, round, hash, signature';
const TABLE = 'the watermarks table';
/**
 * A stored row is only ever raised when it reads as a mark: one edited by hand into something
 * else (its constraints dropped) stays as it is, and the read that follows says STORE_CORRUPT.
 */
const READABLE = "stored.hash ~ '^[0-9a-fA-F]{64}$' AND stored.level >= 0 AND stored.round >= 0 AND (stored.signature IS NULL OR stored.signature <> '')";

/**
 * WatermarkStore on PostgreSQL, shared by every signer instance on one database. A commit is
 * one statement: insert the mark and its signature, or, on the (chain, key, kind) already
 * there, update it only where the stored (level, round) is strictly lower, so the database
 * decides under the row's lock and exactly one of any number of racing commits lands. When it
 * does not land, the row as it is now is read and answered: the identical request gets the
 * signature stored, anything else is refused. Durable before it answers: the store refuses a
 * database whose `synchronous_commit` is not on. Any fault is STORE_UNAVAILABLE: no signature,
 * nothing lowered, and the next call tries the database again.
 */
export class PostgresWatermarkStore implements WatermarkStore {
  readonly name = 'postgres';
  readonly #db: PostgresDatabase;
  readonly #table: string;
  /** What this instance last read or wrote of each mark: marks only rise, so it is at most behind. */
  readonly #lastSeen = new Map<string, StoredWatermark>();
  /** Marks whose last call failed: readiness asks for their row's lock until one is granted. */
  readonly #failing = new Map<string, WatermarkKey>();

  constructor(options: PostgresConnectionOptions) {
    this.#db = new PostgresDatabase(options);
    this.#table = tablesOf(this.#db.target.schema).watermarks;
  }

  /** `PostgreSQL host:port/database (schema …)`: where the marks are, without credentials. */
  get description(): string {
    return this.#db.description;
  }

  /** Whether the connection is TLS, local, or plain TCP across a network (`sslmode=disable`). */
  get protection(): 'tls' | 'local' | 'plain' {
    return this.#db.target.protected;
  }

  /**
   * Reaches the database, checks its commits are durable, makes or checks the schema, and takes
   * (then frees at once) the lock of each row whose last call failed: a front end tells a wrong
   * URL, password or setting at start, and readiness tells a row still locked by someone else.
   */
  async probe(): Promise<void> {
    await this.#db.checkNow(TABLE);
    for (const [id, key] of [...this.#failing]) {
      await this.#db.run(TABLE, (client) => client.query(`SELECT 1 FROM ${this.#table} WHERE pkh = $1 AND chain_id = $2 AND kind = $3 FOR UPDATE NOWAIT`, keyColumns(key)));
      this.#failing.delete(id);
    }
  }

  async read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    const columns = keyColumns(key);
    const id = watermarkKeyId(key);
    const known = this.#lastSeen.get(id);
    if (known !== undefined) return known;
    return await this.#call(key, (client) => this.#read(client, id, columns));
  }

  async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    const columns = keyColumns(key);
    assertStorableMark(signed);
    if (typeof signed.signature !== 'string' || signed.signature === '') throw badRequest('cannot commit a mark without its signature');
    const watermark: StoredWatermark = { level: signed.level, round: signed.round, hash: signed.hash, signature: signed.signature };
    const id = watermarkKeyId(key);
    return await this.#call(key, async (client) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (await this.#raise(client, columns, watermark)) {
          this.#lastSeen.set(id, watermark);
          return { committed: true };
        }
        // not strictly above what is stored now: a new statement sees the row that stood in the way
        const stored = await this.#read(client, id, columns);
        if (stored !== undefined) return { committed: false, stored };
      }
      throw storeUnavailable(`watermark ${id} vanished ${MAX_ATTEMPTS} times under a commit in ${this.description}`);
    });
  }

  async list(): Promise<readonly WatermarkEntry[]> {
    const rows = await this.#call(undefined, (client) => client.query<WatermarkRow>(`SELECT ${COLUMNS} FROM ${this.#table}`));
    const entries = rows.rows.map((row) => fromRow(row, this.description));
    return entries.sort((a, b) => (watermarkKeyId(a.key) < watermarkKeyId(b.key) ? -1 : 1));
  }

  /** Raises each stored mark to the given one when that is strictly higher; never lowers. */
  async importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    // everything checked before anything is written: a bad file changes nothing
    for (const { key, watermark } of entries) {
      keyColumns(key);
      assertStorableMark(watermark);
      if (watermark.signature !== undefined && (typeof watermark.signature !== 'string' || watermark.signature === '')) throw badRequest('an imported signature must be text');
    }
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      const id = watermarkKeyId(key);
      // what this instance remembered of the row is now behind it
      this.#lastSeen.delete(id);
      if (await this.#call(key, (client) => this.#raise(client, keyColumns(key), watermark))) raised.push(key);
    }
    return raised;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  async #call<T>(key: WatermarkKey | undefined, op: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      const result = await this.#db.run(TABLE, op);
      if (key !== undefined) this.#failing.delete(watermarkKeyId(key));
      return result;
    } catch (err) {
      if (key !== undefined) this.#failing.set(watermarkKeyId(key), key);
      throw err;
    }
  }

  /** The one conditional write: true when the row was inserted or raised to `watermark`. */
  async #raise(client: PoolClient, [pkh, chainId, kind]: readonly string[], watermark: StoredWatermark): Promise<boolean> {
    const result = await client.query(
      `INSERT INTO ${this.#table} AS stored (${COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (pkh, chain_id, kind) DO UPDATE
         SET level = excluded.level, round = excluded.round, hash = excluded.hash, signature = excluded.signature, updated_at = excluded.updated_at
         WHERE (stored.level, stored.round) < (excluded.level, excluded.round) AND ${READABLE}
       RETURNING 1`,
      [pkh, chainId, kind, watermark.level, watermark.round, watermark.hash, watermark.signature ?? null],
    );
    return result.rowCount === 1;
  }

  async #read(client: PoolClient, id: string, [pkh, chainId, kind]: readonly string[]): Promise<StoredWatermark | undefined> {
    const result = await client.query<WatermarkRow>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE pkh = $1 AND chain_id = $2 AND kind = $3`, [pkh, chainId, kind]);
    const row = result.rows[0];
    if (row === undefined) {
      this.#lastSeen.delete(id);
      return undefined;
    }
    const { watermark } = fromRow(row, this.description);
    const known = this.#lastSeen.get(id);
    // a read racing a commit of this instance may come back with the older row: keep the higher
    if (known === undefined || compareMarks(watermark, known) >= 0) this.#lastSeen.set(id, watermark);
    return watermark;
  }
}
