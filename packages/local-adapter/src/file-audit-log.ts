import type { AuditLog, AuditRecord } from '@tezsigner/core';
import { DurableAppendFile } from './files/durable-append.js';

/**
 * The audit trail as JSON lines, each written before the decision it records takes effect and
 * on disk within a second: fsyncing every line would double the durable writes of a consensus
 * signature, whose safety rests on its watermark alone.
 */
export class FileAuditLog implements AuditLog {
  readonly name: string;
  readonly #file: DurableAppendFile;

  private constructor(file: DurableAppendFile) {
    this.#file = file;
    this.name = `file ${file.path}`;
  }

  static async open(path: string): Promise<FileAuditLog> {
    return new FileAuditLog(await DurableAppendFile.open(path, { sync: 'written' }));
  }

  append(record: AuditRecord): Promise<void> {
    return this.#file.append(JSON.stringify(record));
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
