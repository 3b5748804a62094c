import { odata, type TableClient } from '@azure/data-tables';
import { DAY_MS, badRequest, storeCorrupt, sumSince, type LedgerView, type Spending, type SpendingLedger } from '@tezsigner/core';
import { createTableClient, type TableConnectionOptions } from './client.js';
import { isWriteConflict, statusOf, toStoreError } from './errors.js';
import { DEFAULT_TABLE_TIMEOUT_MS } from './watermark-store.js';

export const DEFAULT_SPENDING_TABLE_NAME = 'tezsignerspending';

export interface TableSpendingLedgerOptions extends TableConnectionOptions {
  /** Create the table on first use if it is missing (default true). */
  readonly createTable?: boolean | undefined;
  /** Deadline of each call (default 2500 ms): past it the call fails closed. */
  readonly timeoutMs?: number | undefined;
}

const PKH = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;
const KEEP_MS = 2 * DAY_MS;
const PRUNE_AT = 64;
const rowKey = (position: number) => String(position).padStart(12, '0');

interface SpendingRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly Time: number;
  /** mutez as decimal text: a table's Int64 would not hold every amount */
  readonly Amount: string;
  readonly Fee: string;
}

/**
 * Each key's spending in an Azure Table shared by every signer instance: PartitionKey = pkh,
 * RowKey = the entry's position. An entry is inserted at the position after the last one read
 * (insert if absent: a 409 means another instance appended first, which then reads again and
 * judges again), so an HA pair keeps one 24 h cap. Rows never change once written, so each
 * instance reads only the rows past the last it has seen.
 */
export class TableSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly #client: TableClient;
  readonly #timeoutMs: number;
  #tableReady: boolean;
  readonly #seen = new Map<string, Map<number, Spending>>();

  constructor(options: TableSpendingLedgerOptions) {
    this.#client = createTableClient({ ...options, tableName: options.tableName ?? DEFAULT_SPENDING_TABLE_NAME });
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TABLE_TIMEOUT_MS;
    this.#tableReady = options.createTable === false;
    this.name = `azure-table ${this.#client.tableName}`;
  }

  async read(pkh: string, since: number): Promise<LedgerView> {
    checkPkh(pkh);
    const seen = this.#seen.get(pkh) ?? new Map<number, Spending>();
    this.#seen.set(pkh, seen);
    const known = seen.size === 0 ? -1 : Math.max(...seen.keys());
    await this.#call(async (signal) => {
      const filter = odata`PartitionKey eq ${pkh} and RowKey gt ${known < 0 ? '' : rowKey(known)}`;
      for await (const entity of this.#client.listEntities<Record<string, unknown>>({ abortSignal: signal, queryOptions: { filter } })) {
        seen.set(Number(entity.rowKey), fromRow(entity, this.#client.tableName));
      }
    });
    const last = seen.size === 0 ? -1 : Math.max(...seen.keys());
    return { spent: sumSince(seen.values(), since), next: last + 1 };
  }

  async append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    checkPkh(pkh);
    if (!Number.isSafeInteger(at) || at < 0 || at >= 1e12) throw badRequest(`no spending entry can go at ${at}`);
    const row: SpendingRow = { partitionKey: pkh, rowKey: rowKey(at), Time: spending.time, Amount: spending.amount.toString(), Fee: spending.fee.toString() };
    const written = await this.#call(async (signal) => {
      try {
        await this.#client.createEntity(row, { abortSignal: signal });
        return true;
      } catch (err) {
        if (isWriteConflict(err)) return false;
        throw err;
      }
    });
    if (!written) return false;
    const seen = this.#seen.get(pkh) ?? new Map<number, Spending>();
    seen.set(at, spending);
    this.#seen.set(pkh, seen);
    await this.#prune(pkh, seen, at, spending.time - KEEP_MS).catch(() => undefined);
    return true;
  }

  /** Removes rows no window can count any more, never the last one (it holds the position). */
  async #prune(pkh: string, seen: Map<number, Spending>, last: number, before: number): Promise<void> {
    const old = [...seen].filter(([position, entry]) => position !== last && entry.time < before);
    if (old.length < PRUNE_AT) return;
    for (const [position] of old) {
      await this.#call((signal) => this.#client.deleteEntity(pkh, rowKey(position), { abortSignal: signal }));
      seen.delete(position);
    }
  }

  async #call<T>(op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      if (!this.#tableReady) {
        try {
          await this.#client.createTable({ abortSignal: signal });
        } catch (err) {
          if (statusOf(err) !== 403) throw err;
        }
        this.#tableReady = true;
      }
      return await op(signal);
    } catch (err) {
      throw toStoreError(err, this.#client.tableName, this.#timeoutMs, 'spending table');
    }
  }
}

function checkPkh(pkh: string): void {
  if (!PKH.test(pkh)) throw badRequest(`${JSON.stringify(pkh)} is not a key hash`);
}

function fromRow(entity: Record<string, unknown>, table: string): Spending {
  const { Time: time, Amount: amount, Fee: fee } = entity;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || typeof amount !== 'string' || !/^\d+$/.test(amount) || typeof fee !== 'string' || !/^\d+$/.test(fee)) {
    throw storeCorrupt(`spending row ${String(entity['partitionKey'])}/${String(entity['rowKey'])} in table ${table} is damaged`);
  }
  return { time, amount: BigInt(amount), fee: BigInt(fee) };
}
