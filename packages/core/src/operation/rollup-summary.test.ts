import { describe, expect, it } from 'vitest';
import type { ManagerFields, OperationContent } from './content.js';
import { summarizeContent } from './summary.js';

const ALICE = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const BOB = 'tz2DtvH6jg13TApHcht51HzPo1BvfGG247bP';
const SR1 = 'sr163Lv22CdE8QagCwf48PWDTquk6isQwv57';
const EPX = 'epx1X';
const fields: ManagerFields = { source: ALICE, fee: 1400n, counter: 7n, gasLimit: 10600n, storageLimit: 0n };
const refute = (refutation: unknown): OperationContent => ({ kind: 'smart_rollup_refute', ...fields, rollup: SR1, opponent: BOB, refutation }) as OperationContent;
const head = `smart_rollup_refute by ${ALICE} on ${SR1} against ${BOB}`;
const proofAt = (inputProof?: unknown) => refute({ kind: 'move', choice: 12n, step: { kind: 'proof', pvmStep: 'ab'.repeat(3), ...(inputProof === undefined ? {} : { inputProof }) } });

describe('summaries of refutations and zk-rollup operations', () => {
  it.each<[OperationContent, string]>([
    [refute({ kind: 'start', playerCommitment: 'src1A', opponentCommitment: 'src1B' }), `${head}: starts a game between commitment src1A and the opponent's src1B, fee 0.0014 ꜩ`],
    [refute({ kind: 'move', choice: 0n, step: { kind: 'dissection', chunks: [{ tick: 0n }, { state: 'srs1C', tick: 9n }] } }), `${head}: at tick 0, a dissection into 2 chunks, fee 0.0014 ꜩ`],
    [proofAt(), `${head}: at tick 12, a proof (PVM step 3 bytes), fee 0.0014 ꜩ`],
    [proofAt({ kind: 'first_input' }), `${head}: at tick 12, a proof (PVM step 3 bytes, input: the first inbox message), fee 0.0014 ꜩ`],
    [
      proofAt({ kind: 'inbox_proof', level: 40, messageCounter: 2n, serializedProof: '00' }),
      `${head}: at tick 12, a proof (PVM step 3 bytes, input: inbox proof of message 2 at level 40 (1 byte)), fee 0.0014 ꜩ`,
    ],
    [proofAt({ kind: 'reveal_proof', revealProof: { kind: 'raw_data_proof', rawData: '0011' } }), `${head}: at tick 12, a proof (PVM step 3 bytes, input: reveal of raw data (2 bytes)), fee 0.0014 ꜩ`],
    [proofAt({ kind: 'reveal_proof', revealProof: { kind: 'metadata_proof' } }), `${head}: at tick 12, a proof (PVM step 3 bytes, input: reveal of the rollup metadata), fee 0.0014 ꜩ`],
    [proofAt({ kind: 'reveal_proof', revealProof: { kind: 'dal_parameters_proof' } }), `${head}: at tick 12, a proof (PVM step 3 bytes, input: reveal of the DAL parameters), fee 0.0014 ꜩ`],
    [
      proofAt({ kind: 'reveal_proof', revealProof: { kind: 'dal_page_proof', publishedLevel: 7, slotIndex: 2, pageIndex: -1, dalProof: '' } }),
      `${head}: at tick 12, a proof (PVM step 3 bytes, input: reveal of DAL page -1 of slot 2 published at level 7 (proof 0 bytes)), fee 0.0014 ꜩ`,
    ],
    [
      { kind: 'zk_rollup_origination', ...fields, storageLimit: 9n, publicParameters: '00'.repeat(1200), circuitsInfo: [{ name: 'a\x1b', kind: 'public' }, { name: 'fee', kind: 'fee' }], initState: ['00'.repeat(32)], nbOps: 1 },
      `zk_rollup_origination by ${ALICE} of a rollup with circuits a\\x1b (public), fee (fee), initial state of 1 scalar, 1 operation a batch, public parameters 1.2 KB, fee 0.0014 ꜩ, storage limit 9`,
    ],
    [
      { kind: 'zk_rollup_origination', ...fields, publicParameters: '', circuitsInfo: [], initState: [], nbOps: 3 },
      `zk_rollup_origination by ${ALICE} of a rollup with circuits none, initial state of 0 scalars, 3 operations a batch, public parameters 0 bytes, fee 0.0014 ꜩ`,
    ],
    [
      {
        kind: 'zk_rollup_publish',
        ...fields,
        zkRollup: EPX,
        operations: [
          { opCode: 0, price: { id: 'exprX', amount: 1n }, l1Destination: BOB, rollupId: EPX, payload: [] },
          { opCode: 0, price: { id: 'exprX', amount: 1n }, l1Destination: BOB, rollupId: EPX, payload: [], ticket: { contents: { expression: { int: '1' }, size: 2 }, type: { expression: { prim: 'nat' }, size: 2 }, ticketer: BOB } },
        ],
      },
      `zk_rollup_publish by ${ALICE} to ${EPX} of 2 L2 operations (1 with a ticket), fee 0.0014 ꜩ`,
    ],
    [
      { kind: 'zk_rollup_update', ...fields, zkRollup: EPX, update: { pendingPis: [], privatePis: [{ circuit: 'c', newState: [], fee: '00' }], feePi: { newState: [] }, proof: 'ab' } },
      `zk_rollup_update by ${ALICE} of ${EPX}: 0 pending and 1 private circuit inputs, proof 1 byte, fee 0.0014 ꜩ`,
    ],
  ])('%#: %s', (content, summary) => {
    expect(summarizeContent(content)).toBe(summary);
  });
});
