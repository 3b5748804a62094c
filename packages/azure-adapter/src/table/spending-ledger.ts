import { odata, type TableClient } from '@azure/data-tables';
import { ChainedSpendingLedger, badRequest, ledgerEntryProblem, storeCorrupt, type LedgerEntry, type LedgerView, type PositionedEntry, type Spending, type SpendingLedger, type SpendingStore } from '@tezsigner/core';
import { createTableClient, type TableConnectionOptions } from './client.js';
import { isRowMissing, isWriteConflict, statusOf, toStoreError } from './errors.js';
import { DEFAULT_TABLE_TIMEOUT_MS } from './watermark-store.js';

export const DEFAULT_SPENDING_TABLE_NAME = 'tezsignerspending';

export interface TableSpendingLedgerOptions extends TableConnectionOptions {
  /** Create the table on first use if it is missing (default true). */
  readonly createTable?: boolean | undefined;
  /** Deadline of each call (default 2500 ms): past it the call fails closed. */
  readonly timeoutMs?: number | undefined;
  /** the clock (ms since the epoch) that judges what is old (default Date.now) */
  readonly now?: (() => number) | undefined;
}

const PKH = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;
/** The partition of the hints where each key's last position was (no key's name: `~` is not base58). */
const HINTS = '~head';
/** Every this many positions, the hint is written: a fresh instance reads at most this many rows past it. */
const HINT_EVERY = 64;
const rowKey = (position: number) => String(position).padStart(12, '0');

function checkPkh(pkh: string): void {
  if (!PKH.test(pkh)) throw badRequest(`${JSON.stringify(pkh)} is not a key hash`);
}

const isMutez = (value: unknown): value is string => typeof value === 'string' && /^\d+$/.test(value);
const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

function toRow(pkh: string, position: number, entry: LedgerEntry): { partitionKey: string; rowKey: string } & Record<string, unknown> {
  const { chain } = entry;
  return {
    partitionKey: pkh,
    rowKey: rowKey(position),
    Time: entry.time,
    // mutez as decimal text: a table's Int64 would not hold every amount
    Amount: entry.amount.toString(),
    Fee: entry.fee.toString(),
    ...(chain === undefined ? {} : { ChainAmount: chain.amount.toString(), ChainFee: chain.fee.toString(), ChainLatest: chain.latest, ChainRun: chain.run, ChainWindow: chain.window }),
  };
}

function fromRow(entity: Record<string, unknown>, table: string): PositionedEntry {
  const { Time: time, Amount: amount, Fee: fee, ChainAmount: chainAmount, ChainFee: chainFee, ChainLatest: latest, ChainRun: run, ChainWindow: window } = entity;
  const position = Number(entity['rowKey']);
  const where = `spending row ${String(entity['partitionKey'])}/${String(entity['rowKey'])} in table ${table}`;
  const hasChain = chainAmount !== undefined;
  if (!isInteger(time) || !isMutez(amount) || !isMutez(fee) || !Number.isSafeInteger(position) || (hasChain && (!isMutez(chainAmount) || !isMutez(chainFee) || !isInteger(latest) || !isInteger(run) || !isInteger(window)))) {
    throw storeCorrupt(`${where} is damaged`);
  }
  const entry: LedgerEntry = { time, amount: BigInt(amount), fee: BigInt(fee), ...(hasChain ? { chain: { amount: BigInt(chainAmount), fee: BigInt(chainFee as string), latest: latest as number, run: run as number, window: window as number } } : {}) };
  const problem = ledgerEntryProblem(entry, position);
  if (problem !== undefined) throw storeCorrupt(`${where} is damaged (${problem})`);
  return [position, entry];
}

/**
 * Each key's entries in an Azure Table shared by every signer instance: PartitionKey = pkh,
 * RowKey = the entry's position, inserted if absent (a 409 means another instance appended
 * first, which then reads again and judges again), so an HA pair keeps one 24 h cap. A running
 * instance asks for the rows past the last it saw (one query); a fresh one starts from a hint
 * of the last position (written every HINT_EVERY appends, in a partition of its own).
 */
export class TableSpendingStore implements SpendingStore {
  readonly name: string;
  readonly #client: TableClient;
  readonly #timeoutMs: number;
  #tableReady: boolean;

  constructor(options: TableSpendingLedgerOptions) {
    this.#client = createTableClient({ ...options, tableName: options.tableName ?? DEFAULT_SPENDING_TABLE_NAME });
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TABLE_TIMEOUT_MS;
    this.#tableReady = options.createTable === false;
    this.name = `azure-table ${this.#client.tableName}`;
  }

  entriesAfter(pkh: string, position: number): Promise<readonly PositionedEntry[]> {
    checkPkh(pkh);
    return this.#query(odata`PartitionKey eq ${pkh} and RowKey gt ${position < 0 ? '' : rowKey(position)}`);
  }

  async newest(pkh: string): Promise<readonly PositionedEntry[]> {
    checkPkh(pkh);
    const hint = await this.#call(async (signal) => {
      try {
        return (await this.#client.getEntity<{ Position?: unknown }>(HINTS, pkh, { abortSignal: signal })).Position;
      } catch (err) {
        if (isRowMissing(err)) return undefined;
        throw err;
      }
    });
    if (isInteger(hint)) {
      const rows = await this.#query(odata`PartitionKey eq ${pkh} and RowKey ge ${rowKey(hint)}`);
      if (rows.length > 0) return rows;
    }
    return this.all(pkh);
  }

  async entryAt(pkh: string, position: number): Promise<LedgerEntry | undefined> {
    checkPkh(pkh);
    const entity = await this.#call(async (signal) => {
      try {
        return await this.#client.getEntity<Record<string, unknown>>(pkh, rowKey(position), { abortSignal: signal });
      } catch (err) {
        if (isRowMissing(err)) return undefined;
        throw err;
      }
    });
    return entity === undefined ? undefined : fromRow(entity, this.#client.tableName)[1];
  }

  all(pkh: string): Promise<readonly PositionedEntry[]> {
    checkPkh(pkh);
    return this.#query(odata`PartitionKey eq ${pkh}`);
  }

  async create(pkh: string, position: number, entry: LedgerEntry): Promise<boolean> {
    checkPkh(pkh);
    const written = await this.#call(async (signal) => {
      try {
        await this.#client.createEntity(toRow(pkh, position, entry), { abortSignal: signal });
        return true;
      } catch (err) {
        if (isWriteConflict(err)) return false;
        throw err;
      }
    });
    if (written && position % HINT_EVERY === 0) {
      // only where to look: a lost one costs a fresh instance one longer query
      await this.#call((signal) => this.#client.upsertEntity({ partitionKey: HINTS, rowKey: pkh, Position: position }, 'Replace', { abortSignal: signal })).catch(() => undefined);
    }
    return written;
  }

  async removeBefore(pkh: string, position: number): Promise<void> {
    checkPkh(pkh);
    const old = await this.#query(odata`PartitionKey eq ${pkh} and RowKey lt ${rowKey(position)}`);
    for (const [at] of old) {
      await this.#call(async (signal) => {
        try {
          await this.#client.deleteEntity(pkh, rowKey(at), { abortSignal: signal });
        } catch (err) {
          if (!isRowMissing(err)) throw err;
        }
      });
    }
  }

  async #query(filter: string): Promise<PositionedEntry[]> {
    return this.#call(async (signal) => {
      const rows: PositionedEntry[] = [];
      for await (const entity of this.#client.listEntities<Record<string, unknown>>({ abortSignal: signal, queryOptions: { filter } })) rows.push(fromRow(entity, this.#client.tableName));
      return rows.sort(([a], [b]) => a - b);
    });
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

/** The spending ledger of every instance sharing a table: running totals over TableSpendingStore. */
export class TableSpendingLedger implements SpendingLedger {
  readonly name: string;
  readonly #chain: ChainedSpendingLedger;

  constructor(options: TableSpendingLedgerOptions) {
    const store = new TableSpendingStore(options);
    this.name = store.name;
    this.#chain = new ChainedSpendingLedger({ store, now: options.now ?? Date.now });
  }

  read(pkh: string, since: number): Promise<LedgerView> {
    return this.#chain.read(pkh, since);
  }

  append(pkh: string, at: number, spending: Spending): Promise<boolean> {
    return this.#chain.append(pkh, at, spending);
  }

  close(): Promise<void> {
    return this.#chain.close();
  }
}
