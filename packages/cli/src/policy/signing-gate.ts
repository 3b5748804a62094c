import { join } from 'node:path';
import { PolicyGatekeeper, type Confirmations, type Policy } from '@tezsigner/core';
import { FileAuditLog, FileSpendingLedger } from '@tezsigner/local-adapter';
import type { CliIo } from '../io/cli-io.js';
import { openHomeFolder } from '../backends/local-vault.js';

export interface SigningGate {
  readonly gatekeeper: PolicyGatekeeper;
  readonly auditPath: string;
  close(): Promise<void>;
}

/**
 * The policy applied with its durable companions from the home: the audit log (or
 * --audit-log) and the spending ledger that keeps 24 h caps across restarts.
 */
export async function openSigningGate(
  policy: Policy,
  options: { home?: string; auditLog?: string },
  io: CliIo,
  confirmations?: Confirmations,
): Promise<SigningGate> {
  const home = await openHomeFolder(options, io);
  const auditPath = options.auditLog ?? join(home, 'audit.jsonl');
  const audit = await FileAuditLog.open(auditPath);
  let ledger: FileSpendingLedger;
  try {
    ledger = await FileSpendingLedger.open(join(home, 'spending.jsonl'));
  } catch (err) {
    await audit.close();
    throw err;
  }
  return {
    gatekeeper: new PolicyGatekeeper({ policy, audit, ledger, now: Date.now, ...(confirmations === undefined ? {} : { confirmations }) }),
    auditPath,
    async close() {
      await Promise.allSettled([audit.close(), ledger.close()]);
    },
  };
}
