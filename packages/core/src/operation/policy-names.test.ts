import { LocalForger } from '@taquito/local-forging';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOME_MANAGER_HEX, sized } from '../../../../test-support/octez-layout.js';
import { branch, operationContents } from '../../../../test-support/taquito-operations.js';
import { loadVectors } from '../../../../test-support/vectors.js';
import { hexToBytes } from '../encoding/hex.js';
import { evaluatePolicy } from '../policy/evaluation.js';
import { requestFacts } from '../policy/facts.js';
import type { Policy } from '../policy/model.js';
import { parseRequest } from '../request/parse.js';
import { OPERATION_KIND_NAMES } from './kinds.js';

// A policy names operations by octez's kind names: a forged operation of every kind the decoder
// knows must reach the policy under its own name, so a rule for it decides it and no other.
const forger = new LocalForger();
const BRANCH_HEX = '00'.repeat(32);
const MANAGER = SOME_MANAGER_HEX;
const DAL_ENTRAPMENT = loadVectors<{ operations: { name: string; bytes_hex: string }[] }>('octez-operations').operations.find((v) => v.name === 'operation.unsigned-dal-entrapment-evidence');

/**
 * Kinds Taquito does not forge, laid out from octez operation_repr.ml (as in kinds.test.ts,
 * refutation.test.ts and zk-rollup.test.ts); dal_entrapment_evidence as octez encodes it.
 */
const HAND_MADE: Record<string, string> = {
  smart_rollup_refute: `cc${MANAGER}${'22'.repeat(20)}00${'55'.repeat(20)}00${'33'.repeat(32)}${'44'.repeat(32)}`,
  zk_rollup_origination: `fa${MANAGER}${sized('')}${sized(`${sized('6d')}00`)}${sized('')}00000001`,
  zk_rollup_publish: `fb${MANAGER}${'77'.repeat(20)}${sized('')}`,
  zk_rollup_update: `fc${MANAGER}${'77'.repeat(20)}${sized('')}${sized('')}${sized('')}${sized('ab')}`,
  smart_rollup_cement: `ca${MANAGER}${'22'.repeat(20)}`,
  smart_rollup_publish: `cb${MANAGER}${'22'.repeat(20)}${'33'.repeat(32)}00000001${'44'.repeat(32)}${'00'.repeat(8)}`,
  smart_rollup_timeout: `cd${MANAGER}${'22'.repeat(20)}00${'55'.repeat(20)}01${'66'.repeat(20)}`,
  smart_rollup_recover_bond: `cf${MANAGER}${'22'.repeat(20)}00${'55'.repeat(20)}`,
  double_consensus_operation_evidence: `020007${sized('aa')}${sized('bb')}`,
  double_baking_evidence: `03${sized('aa')}${sized('bb')}`,
  vdf_revelation: `08${'77'.repeat(200)}`,
};

async function forgedOfEveryKind(): Promise<Map<string, Uint8Array>> {
  const byKind = new Map<string, Uint8Array>();
  for (const [kind, content] of Object.entries(HAND_MADE)) byKind.set(kind, hexToBytes(`03${BRANCH_HEX}${content}`));
  byKind.set('dal_entrapment_evidence', hexToBytes(DAL_ENTRAPMENT?.bytes_hex ?? ''));
  const [branchHash] = fc.sample(branch, { numRuns: 1, seed: 28 });
  for (const contents of fc.sample(operationContents, { numRuns: 3000, seed: 28 })) {
    const [content] = contents;
    if (content === undefined || byKind.has(content.kind)) continue;
    byKind.set(content.kind, hexToBytes(`03${await forger.forge({ branch: branchHash as string, contents: [content] as never })}`));
  }
  return byKind;
}

describe('policies name every operation kind', () => {
  it('a forged operation of every kind decodes to it, and a rule for that kind decides it', async () => {
    const forged = await forgedOfEveryKind();
    expect([...forged.keys()].sort()).toEqual([...OPERATION_KIND_NAMES].sort());
    for (const [kind, bytes] of forged) {
      const request = parseRequest(bytes, 'ed25519');
      expect(request).toMatchObject({ kind: 'operation', operationKinds: [kind] });
      const facts = requestFacts(request);
      if (facts === undefined) throw new Error(`no facts for ${kind}`);
      const only = (verdict: 'allow' | 'deny'): Policy => ({
        source: 'test',
        default: { operations: { [kind]: verdict, '*': verdict === 'allow' ? 'deny' : 'allow' } },
      });
      expect(evaluatePolicy(only('deny'), 'tz1', facts, { amount: 0n, fee: 0n })).toMatchObject({ verdict: 'deny', rule: `default.operations.${kind}` });
      expect(evaluatePolicy(only('allow'), 'tz1', facts, { amount: 0n, fee: 0n })).toMatchObject({ verdict: 'allow', rule: `default.operations.${kind}` });
    }
  });
});
