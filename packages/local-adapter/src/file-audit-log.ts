import type { AuditLog, AuditRecord } from '@tezsigner/core';
import { DurableAppendFile } from './durable-append.js';

/** The audit trail as JSON lines, each on disk before the decision it records takes effect. */
export class FileAuditLog implements AuditLog {
  readonly name: string;
  readonly #file: DurableAppendFile;

  private constructor(file: DurableAppendFile) {
    this.#file = file;
    this.name = `file ${file.path}`;
  }

  static async open(path: string): Promise<FileAuditLog> {
    return new FileAuditLog(await DurableAppendFile.open(path));
  }

  append(record: AuditRecord): Promise<void> {
    return this.#file.append(JSON.stringify(record));
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
