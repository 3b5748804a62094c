import type { AuditLog, AuditRecord } from '../ports/audit-log.js';

/** An audit log kept in memory, for tests and embedders that read it themselves. */
export class MemoryAuditLog implements AuditLog {
  readonly name = 'memory';
  readonly records: AuditRecord[] = [];

  async append(record: AuditRecord): Promise<void> {
    this.records.push(record);
  }
}
