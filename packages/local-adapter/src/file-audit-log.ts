import { rm, writeFile } from 'node:fs/promises';
import { storeUnavailable, type AuditLog, type AuditRecord } from '@tezsigner/core';
import { DurableAppendFile } from './files/durable-append.js';

/** What a trial write puts beside the log: a line's worth, so a full disk shows. */
const TRIAL = 'x'.repeat(512);

/**
 * The audit trail as JSON lines, each written before the decision it records takes effect and
 * on disk within a second: fsyncing every line would double the durable writes of a consensus
 * signature, whose safety rests on its watermark alone.
 */
export class FileAuditLog implements AuditLog {
  readonly name: string;
  readonly #file: DurableAppendFile;
  /** Why the last append failed (cleared by an append or a probe that works). */
  #failing: unknown;

  private constructor(file: DurableAppendFile) {
    this.#file = file;
    this.name = `file ${file.path}`;
  }

  static async open(path: string): Promise<FileAuditLog> {
    return new FileAuditLog(await DurableAppendFile.open(path, { sync: 'written' }));
  }

  async append(record: AuditRecord): Promise<void> {
    try {
      await this.#file.append(JSON.stringify(record));
      this.#failing = undefined;
    } catch (err) {
      this.#failing = err;
      throw err;
    }
  }

  /**
   * For readiness: after a failed append, a trial write beside the log (never into it, so the
   * trail holds decisions only), so that a full or read-only disk keeps the signer not ready
   * even when no request comes, and clears by itself once there is room again.
   */
  async probe(): Promise<void> {
    const failure = this.#failing;
    if (failure === undefined) return;
    const trial = `${this.#file.path}.probe`;
    try {
      await writeFile(trial, TRIAL, { mode: 0o600 });
    } catch (err) {
      throw storeUnavailable(`the audit log ${this.#file.path} cannot be written: ${err instanceof Error ? err.message : String(err)}`, err);
    } finally {
      await rm(trial, { force: true });
    }
    if (this.#failing === failure) this.#failing = undefined;
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
