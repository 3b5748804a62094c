import { join } from 'node:path';
import { PolicyGatekeeper, type AuditLog, type Confirmations, type Policy } from '@tezsigner/core';
import { FileAuditLog } from '@tezsigner/local-adapter';
import type { CliIo } from '../io/cli-io.js';
import type { BackendOptions } from '../backends/backend-options.js';
import { openHomeFolder } from '../backends/local-vault.js';
import { openSpendingLedger } from '../backends/spending-ledger.js';

export interface SigningGate {
  readonly gatekeeper: PolicyGatekeeper;
  readonly auditPath: string;
  /** for readiness: a failing audit log stops every signature, so it is probed too */
  readonly audit: AuditLog;
  close(): Promise<void>;
}

/**
 * The policy applied with its durable companions: the audit log (or --audit-log) and the
 * spending ledger every signer of the home (or of the watermark table) shares for 24 h caps.
 */
export async function openSigningGate(
  policy: Policy,
  options: BackendOptions & { auditLog?: string },
  io: CliIo,
  confirmations?: Confirmations,
): Promise<SigningGate> {
  const home = await openHomeFolder(options, io);
  const ledger = await openSpendingLedger(options, io);
  const auditPath = options.auditLog ?? join(home, 'audit.jsonl');
  const audit = await FileAuditLog.open(auditPath);
  return {
    gatekeeper: new PolicyGatekeeper({ policy, audit, ledger, now: Date.now, ...(confirmations === undefined ? {} : { confirmations }) }),
    auditPath,
    audit,
    async close() {
      await Promise.allSettled([audit.close(), ledger.close?.()]);
    },
  };
}
