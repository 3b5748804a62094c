import { LocalForger } from '@taquito/local-forging';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../encoding/hex.js';
import { MemoryAuditLog } from '../memory/audit-log.js';
import { parseRequest } from '../request/parse.js';
import { authenticationBytes } from '../signing/authentication.js';
import { isTezsignerError } from '../errors.js';
import { PolicyGatekeeper } from './gatekeeper.js';
import { evaluateRequest } from './evaluate-request.js';
import { parsePolicyFile } from './policy-file.js';
import { buildBlockRequest } from '../testing/consensus-requests.js';

const PAYER = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const BRANCH = 'BLockGenesisGenesisGenesisGenesisGenesisf79b5d1CoW2';
const policy = parsePolicyFile(
  `keys:
  ${PAYER}:
    operations: { transaction: allow }
    limits: { max_amount: 10, max_fee: 1 }
`,
  'policy.yaml',
);

/** A 0x03 transaction forged by Taquito (independent of core's decoder), read by core's parser. */
async function transfer(amountMutez: number, storageLimit: number) {
  const forged = await new LocalForger().forge({
    branch: BRANCH,
    contents: [{ kind: 'transaction', source: PAYER, fee: '1000', counter: '7', gas_limit: '2000', storage_limit: String(storageLimit), amount: String(amountMutez), destination: 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6' }],
  } as never);
  const bytes = hexToBytes(`03${forged}`);
  return { bytes, request: parseRequest(bytes, 'ed25519') };
}

describe('evaluateRequest', () => {
  it('counts the storage a transfer may burn: 9 ꜩ that can burn 2.5 ꜩ more is past a 10 ꜩ cap, as the gatekeeper judges it', async () => {
    const { bytes, request } = await transfer(9_000_000, 10_000);
    const decision = evaluateRequest(policy, PAYER, request);
    expect(decision).toMatchObject({ verdict: 'deny', rule: `keys.${PAYER}.limits.max_amount` });
    const gatekeeper = new PolicyGatekeeper({ policy, audit: new MemoryAuditLog(), now: () => 0 });
    const refused = await gatekeeper.admit({ pkh: PAYER, request, bytes, digest: new Uint8Array(32) }).then(() => undefined, (err: unknown) => err);
    expect(isTezsignerError(refused, 'POLICY_DENIED')).toBe(true);
    expect((refused as Error).message).toContain(decision.rule);
  });

  it('allows the same transfer when what it can take fits, and counts what the key spent before', async () => {
    const { request } = await transfer(9_000_000, 1_000);
    expect(evaluateRequest(policy, PAYER, request).verdict).toBe('allow');
    const capped = parsePolicyFile(`keys:\n  ${PAYER}:\n    operations: { transaction: allow }\n    limits: { max_amount_24h: 20, max_fee: 1, max_fee_24h: 5 }\n`, 'policy.yaml');
    expect(evaluateRequest(capped, PAYER, request, { amount: 10_000_000n, fee: 0n }).verdict).toBe('allow');
    expect(evaluateRequest(capped, PAYER, request, { amount: 11_000_000n, fee: 0n })).toMatchObject({ verdict: 'deny', rule: `keys.${PAYER}.limits.max_amount_24h` });
  });

  it('refuses what no policy can allow, and applies the baker default to consensus', () => {
    const authentication = parseRequest(authenticationBytes(PAYER, new Uint8Array([1, 2, 3])), 'ed25519');
    expect(evaluateRequest(parsePolicyFile('default: { michelson_data: allow }', 'p.yaml'), PAYER, authentication)).toMatchObject({ verdict: 'deny', rule: 'never_signed' });
    const block = parseRequest(buildBlockRequest({ level: 5 }), 'ed25519');
    expect(evaluateRequest(parsePolicyFile('{}', 'empty.json'), PAYER, block)).toMatchObject({ verdict: 'allow', rule: 'baker_default.block' });
    expect(evaluateRequest(parsePolicyFile('default: { block: deny }', 'p.yaml'), PAYER, block)).toMatchObject({ verdict: 'deny', rule: 'default.block' });
  });
});
