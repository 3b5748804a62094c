// --policy through the real command line: sign and serve read the file, refuse by rule, keep
// 24 h spending in the home across runs, and name a broken file's line.
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { forgeContents, forgeDelegation, forgeTransfer } from '../../../test-support/operations.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { attestation } from '../../http-server/test/support/consensus-bytes.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

const [ED] = keyVectors();
if (ED === undefined) throw new Error('missing key vectors');
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
const KT1 = 'KT1BEqzn5Wx8uJrZNvuS9DVHmLvG9td3fDLi';

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
let policyPath: string;
beforeEach(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'policy test passphrase' };
  policyPath = join(home.path, 'policy.yaml');
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);
});
afterEach(() => home.remove());

const sign = (hex: string, ...extra: string[]) => runTezsigner(['sign', ED.public_key_hash, hex, '--policy', policyPath, ...extra], { env });
const transfer = (mutez: bigint, counter: number, destination = PAYEE, entrypoint?: string) =>
  forgeTransfer({ source: ED.public_key_hash, destination, amount: mutez, counter, ...(entrypoint === undefined ? {} : { entrypoint }) });

test('the rolling 24 h cap counts what earlier runs signed (the ledger is in the home)', async () => {
  await writeFile(policyPath, `default:\n  operations:\n    transaction: allow\n  limits:\n    max_amount_24h: 10.19275\n    max_fee_24h: 1\n`);
  const first = await sign(await transfer(6_000_000n, 1));
  expect(first.code, first.stderr).toBe(0);
  const hex = await transfer(3_000_000n, 2);
  const second = await sign(hex);
  expect(verifySignature(hex, ED.public_key, second.stdout.trim())).toBe(true);
  // a new process, so the 9 ꜩ already spent (and the 0.06425 ꜩ each transfer's storage_limit
  // of 257 bytes may burn) come from the ledger
  expect(oneLineError(await sign(await transfer(1_000_001n, 3)))).toContain('refused by policy rule default.limits.max_amount_24h (policy.yaml): amount 10.192751 ꜩ over 24 h');
  expect((await sign(await transfer(1_000_000n, 4))).code).toBe(0);
  expect((await readdir(join(home.path, 'spending', ED.public_key_hash))).filter((name) => name.endsWith('.json'))).toHaveLength(3);
});

test('destinations and entrypoints, delegates: each refusal names its rule', async () => {
  await writeFile(
    policyPath,
    `keys:\n  ${ED.public_key_hash}:\n    operations: { transaction: allow, delegation: allow }\n    limits:\n      destinations: [${PAYEE}, ${KT1}%deposit]\n      delegates: [${PAYEE}]\n`,
  );
  expect((await sign(await transfer(1n, 1))).code).toBe(0);
  expect((await sign(await transfer(1n, 2, KT1, 'deposit'))).code).toBe(0);
  expect(oneLineError(await sign(await transfer(1n, 3, KT1, 'withdraw')))).toContain(`keys.${ED.public_key_hash}.limits.destinations`);
  expect((await sign(await forgeDelegation(ED.public_key_hash, PAYEE))).code).toBe(0);
  expect(oneLineError(await sign(await forgeDelegation(ED.public_key_hash, ED.public_key_hash)))).toContain(`keys.${ED.public_key_hash}.limits.delegates`);
});

test('without a policy a key is a baker’s: consensus signed, a transfer refused by name, every decision audited', async () => {
  const consensus = attestation('attestation', 10, 0);
  expect((await runTezsigner(['sign', ED.public_key_hash, consensus], { env })).code).toBe(0);
  expect(oneLineError(await runTezsigner(['sign', ED.public_key_hash, await transfer(1n, 1)], { env }))).toContain('refused by policy rule default.operations.* (magic bytes 0x11,0x12,0x13: add its byte to --magic-bytes, or allow it in a --policy file)');
  await writeFile(policyPath, `keys:\n  ${ED.public_key_hash}:\n    operations: { transaction: confirm }\n`);
  expect(oneLineError(await sign(await transfer(1n, 1)))).toContain('nobody can confirm here');
  const audit = (await readFile(join(home.path, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  expect(audit.map((line) => `${line['kind']} ${line['decision']} ${line['rule']}`)).toEqual([
    'attestation allowed default.attestation',
    'operation denied default.operations.*',
    `operation denied keys.${ED.public_key_hash}.operations.transaction`,
  ]);
  expect(audit[0]).toMatchObject({ key: ED.public_key_hash, chain: 'NetXdQprcVkpaWU', by: 'policy' });
});

test('a mistake in the policy file stops serve before it starts, naming file, line and field', async () => {
  await writeFile(policyPath, `keys:\n  ${ED.public_key_hash}:\n    operations:\n      transaction: yes\n`);
  const run = await runTezsigner(['serve', '--port', '0', '--metrics-port', '0', '--policy', policyPath], { env });
  expect(oneLineError(run)).toBe(`tezsigner: error: ${policyPath}:4: keys.${ED.public_key_hash}.operations.transaction: expected allow, confirm or deny`);
});

test('--policy and --magic-bytes together are refused; --audit-log moves the audit', async () => {
  await writeFile(policyPath, 'default: {}\n');
  expect(oneLineError(await runTezsigner(['sign', ED.public_key_hash, '00', '--policy', policyPath, '--magic-bytes', '0x11'], { env }))).toContain('give --policy or --magic-bytes, not both');
  const auditPath = join(home.path, 'elsewhere.jsonl');
  expect((await runTezsigner(['sign', ED.public_key_hash, attestation('attestation', 11, 0), '--audit-log', auditPath], { env })).code).toBe(0);
  expect(await readFile(auditPath, 'utf8')).toContain('"decision":"allowed"');
});

test('a policy or authorized keys file others may write is refused at start', async () => {
  await writeFile(policyPath, 'default: {}\n');
  await chmod(policyPath, 0o664);
  expect(oneLineError(await runTezsigner(['serve', '--port', '0', '--policy', policyPath], { env }))).toContain(`the policy file ${policyPath} is writable by group or others (mode 0664)`);
  expect(oneLineError(await sign(attestation('attestation', 12, 0)))).toContain('is writable by group or others');
  await chmod(policyPath, 0o600);
  const keysPath = join(home.path, 'authorized_keys');
  await writeFile(keysPath, `${ED.public_key}\n`);
  await chmod(keysPath, 0o646);
  expect(oneLineError(await runTezsigner(['serve', '--port', '0', '--authorized-keys', keysPath], { env }))).toContain(`the authorized keys file ${keysPath} is writable by group or others (mode 0646)`);
});

test('a policy denying everything is valid: serve starts and signs nothing; a key it names but nobody serves is warned about', async () => {
  const UNSERVED = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
  await writeFile(policyPath, `default: { block: deny, preattestation: deny, attestation: deny }\nkeys:\n  ${UNSERVED}: { attestation: deny }\n`);
  expect(oneLineError(await sign(attestation('attestation', 13, 0)))).toContain('refused by policy rule default.attestation (policy.yaml)');
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const served = runTezsigner(['serve', '--port', '0', '--no-metrics', '--policy', policyPath], {
    env,
    stop: stopped,
    onStderr: (text) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1] !== undefined) listening(match[1]);
    },
  });
  try {
    const base = await Promise.race([url, served.then((run) => Promise.reject(new Error(run.stderr)))]);
    const response = await fetch(`${base}/keys/${ED.public_key_hash}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(attestation('attestation', 14, 0)) });
    expect(response.status).toBe(403);
  } finally {
    stop('SIGTERM');
  }
  const run = await served;
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`warning: the policy policy.yaml has rules for ${UNSERVED}, a key this signer does not serve`);
});

test('under a 24 h cap, a drain is refused whatever its size, and paid storage counts its burn', async () => {
  await writeFile(policyPath, `default:\n  operations: { '*': allow }\n  limits: { max_amount_24h: 0.01, max_fee_24h: 1 }\n`);
  const drain = await forgeContents([{ kind: 'drain_delegate', consensus_key: PAYEE, delegate: ED.public_key_hash, destination: PAYEE }]);
  expect(oneLineError(await sign(drain))).toContain('default.limits.max_amount_24h (policy.yaml): drain_delegate sends the whole spendable balance of the delegate');
  // 40 bytes at 250 mutez: the whole 0.01 ꜩ; one byte more is past it (sizes under 64 bytes,
  // where Taquito's unsigned encoding of the size and octez's signed one agree)
  const storage = (bytes: number, counter: number) =>
    forgeContents([{ kind: 'increase_paid_storage', source: ED.public_key_hash, fee: '1000', counter: String(counter), gas_limit: '1000', storage_limit: '0', amount: String(bytes), destination: KT1 }]);
  expect((await sign(await storage(40, 1))).code).toBe(0);
  expect(oneLineError(await sign(await storage(1, 2)))).toContain('amount 0.01025 ꜩ over 24 h is over the limit of 0.01 ꜩ');
});
