import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../../../test-support/vectors.js';
import { hexToBytes } from '../encoding/hex.js';
import { decodeOperation } from './decoder.js';
import { contentToJson, operationToJson } from './json.js';

describe('operationToJson', () => {
  it('gives the vectors back as Taquito wrote them: amounts, counters and limits as decimal strings', () => {
    const vectors = loadVectors<{ operations: { name: string; bytes_hex: string; branch: string; contents: Record<string, unknown>[] }[] }>('operations').operations;
    const vector = vectors.find((v) => v.name === 'reveal_and_transaction');
    const json = operationToJson(decodeOperation(hexToBytes(vector?.bytes_hex ?? '')));
    const [reveal, transaction] = vector?.contents ?? [];
    expect(JSON.parse(JSON.stringify(json))).toEqual({
      branch: vector?.branch,
      contents: [
        { kind: 'reveal', source: reveal?.source, fee: reveal?.fee, counter: reveal?.counter, gasLimit: reveal?.gas_limit, storageLimit: reveal?.storage_limit, publicKey: reveal?.public_key },
        {
          kind: 'transaction',
          source: transaction?.source,
          fee: transaction?.fee,
          counter: transaction?.counter,
          gasLimit: transaction?.gas_limit,
          storageLimit: transaction?.storage_limit,
          amount: transaction?.amount,
          destination: transaction?.destination,
          entrypoint: 'default',
        },
      ],
    });
  });

  it('keeps amounts beyond 2^53 exact and leaves Micheline as it is', () => {
    const json = contentToJson({
      kind: 'transaction',
      source: 'tz1',
      fee: 2n ** 70n - 1n,
      counter: 0n,
      gasLimit: 0n,
      storageLimit: 0n,
      amount: 9_007_199_254_740_993n,
      destination: 'KT1',
      entrypoint: 'do',
      parameters: { expression: [{ int: '1' }], size: 10 },
    });
    expect(JSON.stringify(json)).toBe(
      '{"kind":"transaction","source":"tz1","fee":"1180591620717411303423","counter":"0","gasLimit":"0","storageLimit":"0","amount":"9007199254740993","destination":"KT1","entrypoint":"do","parameters":{"expression":[{"int":"1"}],"size":10}}',
    );
  });

  it('writes the bigints nested in refutations and zk-rollup operations as decimal strings, the rest as it is', () => {
    const header = { source: 'tz1', fee: 1n, counter: 2n, gasLimit: 3n, storageLimit: 4n };
    const refute = contentToJson({
      kind: 'smart_rollup_refute',
      ...header,
      rollup: 'sr1',
      opponent: 'tz2',
      refutation: { kind: 'move', choice: 2n ** 64n, step: { kind: 'dissection', chunks: [{ state: 'srs1', tick: 5n }, { tick: 2n ** 70n }] } },
    });
    expect(JSON.parse(JSON.stringify(refute))).toMatchObject({
      refutation: { kind: 'move', choice: '18446744073709551616', step: { kind: 'dissection', chunks: [{ state: 'srs1', tick: '5' }, { tick: '1180591620717411303424' }] } },
    });
    const update = contentToJson({
      kind: 'zk_rollup_update',
      ...header,
      zkRollup: 'epx1',
      update: { pendingPis: [{ circuit: 'c', newState: ['00'], fee: '11', exitValidity: true }], privatePis: [], feePi: { newState: [] }, proof: 'ab' },
    });
    expect(JSON.parse(JSON.stringify(update))).toMatchObject({ update: { pendingPis: [{ circuit: 'c', newState: ['00'], fee: '11', exitValidity: true }], proof: 'ab' } });
    const publish = contentToJson({
      kind: 'zk_rollup_publish',
      ...header,
      zkRollup: 'epx1',
      operations: [{ opCode: 1, price: { id: 'expr', amount: -(2n ** 60n) }, l1Destination: 'tz1', rollupId: 'epx1', payload: [] }],
    });
    expect(JSON.parse(JSON.stringify(publish))).toMatchObject({ operations: [{ opCode: 1, price: { id: 'expr', amount: '-1152921504606846976' } }] });
  });
});
