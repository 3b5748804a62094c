import { DAY_MS, badRequest, storeCorrupt } from '@tezsigner/core';
import type { LedgerView, Spending, SpendingLedger } from '@tezsigner/core';
import type { PostgresConnectionOptions } from './connection.js';
import { PostgresDatabase } from './database.js';
import { tablesOf } from './schema.js';

const PKH = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;
const KEEP_MS = 2 * DAY_MS;
/** Rows older than any window are removed by one of this many appends of an instance. */
const PRUNE_EVERY = 64;
const DECIMAL = /^\d+$/;

/**
 * Each key's spending in the `spending` table beside the watermarks, shared by every signer
 * instance on the database: one row per position of a key's sequence. An entry is inserted at
 * the position after the last one read (`ON CONFLICT DO NOTHING`: nothing inserted means
 * another instance appended first, and the gatekeeper reads again and judges again), so an HA
 * pair keeps one 24 h cap. A read sums the window in the database, exactly (numeric).
 */
export class PostgresSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly #db: PostgresDatabase;
  readonly #table: string;
  #appends = 0;

  constructor(options: PostgresConnectionOptions) {
    this.#db = new PostgresDatabase(options);
    this.#table = tablesOf(this.#db.target.schema).spending;
    this.name = `postgres ${this.#db.target.schema}.spending`;
  }

  async read(pkh: string, since: number): Promise<LedgerView> {
    checkPkh(pkh);
    const result = await this.#db.run('the spending table', (client) =>
      client.query<{ amount: string; fee: string; next: string }>(
        `SELECT round(coalesce(sum(amount) FILTER (WHERE time_ms >= $2), 0))::text AS amount,
                round(coalesce(sum(fee) FILTER (WHERE time_ms >= $2), 0))::text AS fee,
                (coalesce(max(seq), -1) + 1)::text AS next
         FROM ${this.#table} WHERE pkh = $1`,
        [pkh, since],
      ),
    );
    const row = result.rows[0];
    const next = Number(row?.next);
    if (row === undefined || !DECIMAL.test(row.amount) || !DECIMAL.test(row.fee) || !Number.isSafeInteger(next)) {
      throw storeCorrupt(`the spending of ${pkh} in ${this.#db.description} does not add up to a number of mutez`);
    }
    return { spent: { amount: BigInt(row.amount), fee: BigInt(row.fee) }, next };
  }

  async append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    checkPkh(pkh);
    if (!Number.isSafeInteger(at) || at < 0) throw badRequest(`no spending entry can go at ${at}`);
    if (!Number.isSafeInteger(spending.time) || spending.amount < 0n || spending.fee < 0n) throw badRequest('a spending entry needs a time and amounts of at least 0');
    const inserted = await this.#db.run('the spending table', (client) =>
      client.query(`INSERT INTO ${this.#table} (pkh, seq, time_ms, amount, fee) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
        pkh,
        at,
        spending.time,
        spending.amount.toString(),
        spending.fee.toString(),
      ]),
    );
    if (inserted.rowCount !== 1) return false;
    if (++this.#appends % PRUNE_EVERY === 0) await this.#prune(pkh, at, spending.time - KEEP_MS).catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  /** Removes rows no window can count any more, never the last one (it holds the position). */
  async #prune(pkh: string, last: number, before: number): Promise<void> {
    await this.#db.run('the spending table', (client) => client.query(`DELETE FROM ${this.#table} WHERE pkh = $1 AND time_ms < $2 AND seq < $3`, [pkh, before, last]));
  }
}

function checkPkh(pkh: string): void {
  if (!PKH.test(pkh)) throw badRequest(`${JSON.stringify(pkh)} is not a key hash`);
}
