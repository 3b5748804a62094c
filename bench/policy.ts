// What policy and audit add to a baker's signing path: Ed25519 attestations through the whole
// SignerService (memory keys and watermarks) without a gatekeeper, with the baker-default policy
// and an in-memory audit log, and with the audit log as a file flushed (fdatasync, group commit)
// before each answer, as `tezsigner serve` runs it. 8 keys attest at once, each one level higher
// per request. The ratios to the first case are the cost of policy and of a durable audit line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateSecretKey,
  hexToBytes,
  MemoryAuditLog,
  MemoryKeyProvider,
  MemoryWatermarkStore,
  PolicyGatekeeper,
  policyFromMagicBytes,
  SignerService,
  DEFAULT_MAGIC_BYTES,
  type AuditLog,
  type Gatekeeper,
} from '../packages/core/src/index.js';
import { FileAuditLog } from '../packages/local-adapter/src/index.js';
import { attestation } from '../packages/http-server/test/support/consensus-bytes.js';
import { figures, measure } from './measure.js';
import { caseLine } from './report.js';

const SECONDS_PER_CASE = 3;
const WORKERS = 8;

async function attestations(gatekeeper: Gatekeeper | undefined, firstLevel: number) {
  const keys = Array.from({ length: WORKERS }, () => generateSecretKey('ed25519'));
  const provider = new MemoryKeyProvider(keys);
  const pkhs = (await provider.listKeys()).map((key) => key.pkh);
  const signer = new SignerService({ keys: provider, watermarks: new MemoryWatermarkStore(), ...(gatekeeper === undefined ? {} : { gatekeeper }) });
  const sample = await measure(WORKERS, SECONDS_PER_CASE, (worker, iteration) =>
    signer.sign(pkhs[worker] as string, hexToBytes(attestation('attestation', firstLevel + iteration, 0))),
  );
  return figures(sample);
}

const gate = (audit: AuditLog) => new PolicyGatekeeper({ policy: policyFromMagicBytes(DEFAULT_MAGIC_BYTES), audit, now: Date.now });

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-bench-audit-'));
  const fileAudit = await FileAuditLog.open(join(dir, 'audit.jsonl'));
  try {
    await attestations(undefined, 1); // warm-up
    console.log(`Ed25519 attestations, ${WORKERS} keys at once, ${SECONDS_PER_CASE} s per case`);
    const bare = await attestations(undefined, 1_000_000);
    console.log(caseLine('no gatekeeper', bare));
    const memory = await attestations(gate(new MemoryAuditLog()), 2_000_000);
    console.log(caseLine('policy + audit in memory', memory));
    const file = await attestations(gate(fileAudit), 3_000_000);
    console.log(caseLine('policy + audit file (written, on disk within 1 s)', file));
    console.log(`policy keeps ${((memory.perSecond / bare.perSecond) * 100).toFixed(0)}% of the rate; with the durable audit ${((file.perSecond / bare.perSecond) * 100).toFixed(0)}%`);
  } finally {
    await fileAudit.close();
    await rm(dir, { recursive: true, force: true });
  }
}
