import type { TableClient } from '@azure/data-tables';
import { KeyedQueue, TezsignerError, badRequest, compareMarks, isAbove, storeUnavailable, watermarkKeyId } from '@tezsigner/core';
import type { CommitResult, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkStore } from '@tezsigner/core';
import { createTableClient } from './client.js';
import type { TableConnectionOptions } from './client.js';
import { assertStorableMark, fromRow, rowKeys, toRow } from './entity.js';
import type { WatermarkRow } from './entity.js';
import { isRowMissing, isWriteConflict, statusOf, toStoreError } from './errors.js';

export interface TableWatermarkStoreOptions extends TableConnectionOptions {
  /** Create the table on first use if it is missing (default true). */
  readonly createTable?: boolean | undefined;
  /**
   * Deadline of each store call, queueing and SDK retries included (default 2500 ms): past
   * it the call fails closed with STORE_UNAVAILABLE, well inside a baker's round.
   */
  readonly timeoutMs?: number | undefined;
}

/** A row as last seen, with the ETag that lets us replace exactly that version. */
interface Versioned {
  readonly watermark: StoredWatermark;
  readonly etag: string;
}

export const DEFAULT_TABLE_TIMEOUT_MS = 2500;
/** Beyond this many lost races in one call something is wrong; fail closed rather than spin. */
const MAX_ATTEMPTS = 64;

/**
 * WatermarkStore on Azure Table Storage, shared by every signer instance behind one address.
 * A commit is one conditional write of mark and signature (insert if absent, replace if the
 * ETag still matches); losing the race (409/412) means re-read and re-decide, so exactly one
 * instance commits each mark, and every instance answers a repeat with that one signature.
 * Any other fault is STORE_UNAVAILABLE: no signature, nothing lowered, and the next call
 * simply tries the table again.
 */
export class TableWatermarkStore implements WatermarkStore {
  readonly name = 'azure-table';
  readonly #client: TableClient;
  readonly #timeoutMs: number;
  readonly #createTable: boolean;
  #tableReady = false;
  /**
   * Same-watermark calls of this instance one at a time. Only an optimisation: ETags keep
   * instances correct; this keeps one instance from racing itself into a storm of 412s when
   * a baker sends many requests for the same watermark at once.
   */
  readonly #queue = new KeyedQueue();
  /** The last version of each watermark we read or wrote: saves the read before the next write. */
  readonly #lastSeen = new Map<string, Versioned>();

  constructor(options: TableWatermarkStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TABLE_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new TezsignerError('CONFIG_INVALID', `the table store's timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    this.#client = createTableClient(options);
    this.#timeoutMs = timeoutMs;
    this.#createTable = options.createTable ?? true;
  }

  get tableName(): string {
    return this.#client.tableName;
  }

  /**
   * Reaches the table (creating it if allowed) and reads at most one row, so a front end can
   * tell a wrong URL, credential or role at start-up rather than at the first signature.
   */
  async probe(): Promise<void> {
    await this.#call(undefined, async (signal) => {
      const pages = this.#client.listEntities({ abortSignal: signal, queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 });
      await pages.next();
    });
  }

  /** The stored watermark as last seen by this instance, else as read from the table. */
  async read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    const { partitionKey, rowKey } = rowKeys(key);
    const id = watermarkKeyId(key);
    // A memory is at most behind the table (marks only rise): commit catches up on a conflict.
    const known = this.#lastSeen.get(id);
    if (known !== undefined) return known.watermark;
    return (await this.#call(id, (signal) => this.#read(id, partitionKey, rowKey, signal)))?.watermark;
  }

  /**
   * One conditional write in the steady state (insert if absent, replace if the ETag we last
   * saw still matches); on a conflict, re-read and decide again, until the row is at or above
   * the mark (not committed) or our write lands.
   */
  async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    const { partitionKey, rowKey } = rowKeys(key);
    assertStorableMark(signed);
    if (typeof signed.signature !== 'string' || signed.signature === '') throw badRequest('cannot commit a mark without its signature');
    const { level, round, hash, signature } = signed;
    const watermark: StoredWatermark = { level, round, hash, signature };
    const id = watermarkKeyId(key);
    return await this.#call(id, async (signal) => {
      let current: Versioned | undefined = this.#lastSeen.get(id);
      let fresh = current === undefined;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (fresh) current = await this.#read(id, partitionKey, rowKey, signal);
        if (!isAbove(watermark, current?.watermark)) {
          // Answer what the table holds now, not a memory of it.
          if (fresh) return { committed: false, stored: (current as Versioned).watermark };
          fresh = true;
          continue;
        }
        // Written over a stale version, the ETag check fails (412) and we decide again.
        if (await this.#write(id, toRow(key, watermark), watermark, current?.etag, signal)) return { committed: true };
        fresh = true;
      }
      throw storeUnavailable(`lost ${MAX_ATTEMPTS} races in a row on watermark ${id}`);
    });
  }

  async list(): Promise<readonly WatermarkEntry[]> {
    return await this.#call(undefined, async (signal) => {
      const entries: WatermarkEntry[] = [];
      for await (const entity of this.#client.listEntities({ abortSignal: signal })) {
        entries.push(fromRow(entity));
      }
      return entries.sort((a, b) => (watermarkKeyId(a.key) < watermarkKeyId(b.key) ? -1 : 1));
    });
  }

  /** Raises each stored mark to the given one when that is strictly higher; never lowers. */
  async importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    // Validate everything before writing anything: a bad file changes nothing.
    for (const { key, watermark } of entries) {
      rowKeys(key);
      assertStorableMark(watermark);
    }
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      const { partitionKey, rowKey } = rowKeys(key);
      const id = watermarkKeyId(key);
      const didRaise = await this.#call(id, async (signal) => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const current = await this.#read(id, partitionKey, rowKey, signal);
          if (current !== undefined && compareMarks(watermark, current.watermark) <= 0) return false;
          if (await this.#write(id, toRow(key, watermark), watermark, current?.etag, signal)) return true;
        }
        throw storeUnavailable(`lost ${MAX_ATTEMPTS} races in a row on watermark ${id}`);
      });
      if (didRaise) raised.push(key);
    }
    return raised;
  }

  /** One store call: queued per watermark, bounded by one deadline, every fault made a TezsignerError. */
  async #call<T>(id: string | undefined, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // The deadline starts before queueing: during an outage a queue must drain fast, not one timeout each.
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const task = async () => {
      signal.throwIfAborted();
      await this.#ensureTable(signal);
      return await op(signal);
    };
    try {
      return await (id === undefined ? task() : this.#queue.run(id, task));
    } catch (err) {
      throw toStoreError(err, this.#client.tableName, this.#timeoutMs);
    }
  }

  async #ensureTable(signal: AbortSignal): Promise<void> {
    if (!this.#createTable || this.#tableReady) return;
    try {
      await this.#client.createTable({ abortSignal: signal });
    } catch (err) {
      // Allowed to use the table but not to create tables: assume it exists; if not, calls say so.
      if (statusOf(err) !== 403) throw err;
    }
    this.#tableReady = true;
  }

  async #read(id: string, partitionKey: string, rowKey: string, signal: AbortSignal): Promise<Versioned | undefined> {
    let entity: Record<string, unknown> & { etag: string };
    try {
      entity = await this.#client.getEntity(partitionKey, rowKey, { abortSignal: signal });
    } catch (err) {
      if (isRowMissing(err)) {
        this.#lastSeen.delete(id);
        return undefined;
      }
      throw err;
    }
    const seen = { watermark: fromRow(entity).watermark, etag: entity.etag };
    this.#lastSeen.set(id, seen);
    return seen;
  }

  /**
   * Insert-if-absent or replace-if-unchanged. Returns false when someone wrote first, else
   * true, remembering the new version for the next write of this watermark.
   */
  async #write(id: string, row: WatermarkRow, watermark: StoredWatermark, etag: string | undefined, signal: AbortSignal): Promise<boolean> {
    // The SDK turns a missing ETag into If-Match: * (unconditional): never let that happen.
    if (etag === '') throw storeUnavailable(`watermark ${id} was read without an ETag`);
    let written: string | undefined;
    try {
      const response =
        etag === undefined
          ? await this.#client.createEntity(row, { abortSignal: signal })
          : await this.#client.updateEntity(row, 'Replace', { etag, abortSignal: signal });
      written = response.etag;
    } catch (err) {
      // A row gone under our ETag is a conflict too: re-read and re-decide.
      if (isWriteConflict(err) || (etag !== undefined && isRowMissing(err))) return false;
      this.#lastSeen.delete(id);
      throw err;
    }
    if (written === undefined || written === '') this.#lastSeen.delete(id);
    else this.#lastSeen.set(id, { watermark, etag: written });
    return true;
  }
}
