import { LocalForger } from '@taquito/local-forging';
import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from './hex.js';
import { parseRequest } from './request.js';

// Random valid operations forged by an independent forger (Taquito local-forging): the
// decoder must report exactly the kinds (and transaction entrypoints) that were forged.

const hexOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString('hex'));
const encoded = (prefix: PrefixV2, length: number) => hexOf(length).map((hex) => b58Encode(hex, prefix));

const pkh = fc.oneof(
  encoded(PrefixV2.Ed25519PublicKeyHash, 20),
  encoded(PrefixV2.Secp256k1PublicKeyHash, 20),
  encoded(PrefixV2.P256PublicKeyHash, 20),
  encoded(PrefixV2.BLS12_381PublicKeyHash, 20),
);
const kt1 = encoded(PrefixV2.ContractHash, 20);
const address = fc.oneof(pkh, kt1);
const publicKey = fc.oneof(
  encoded(PrefixV2.Ed25519PublicKey, 32),
  encoded(PrefixV2.Secp256k1PublicKey, 33),
  encoded(PrefixV2.P256PublicKey, 33),
  encoded(PrefixV2.BLS12_381PublicKey, 48),
);
const blsProof = encoded(PrefixV2.BLS12_381Signature, 96);
const protocolHash = encoded(PrefixV2.ProtocolHash, 32);
const branch = encoded(PrefixV2.BlockHash, 32);
const natural = fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String);
const int32 = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const bytesHex = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex'));
const entrypointName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/);

const { micheline } = fc.letrec<{ micheline: unknown }>((tie) => ({
  micheline: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => ({ int: n.toString() })),
    fc.string({ maxLength: 12 }).map((s) => ({ string: s.replace(/[^ -~]/g, 'x') })),
    bytesHex.map((bytes) => ({ bytes })),
    fc.constantFrom('Unit', 'True', 'False', 'None', 'unit', 'nat').map((prim) => ({ prim })),
    fc.tuple(fc.constantFrom('Some', 'Left', 'Right', 'option', 'list'), tie('micheline'), fc.option(fc.constantFrom(['%a'], [':t', '@v']), { nil: undefined })).map(
      ([prim, arg, annots]) => ({ prim, args: [arg], ...(annots ? { annots } : {}) }),
    ),
    fc.tuple(fc.constantFrom('Pair', 'Elt', 'or', 'map'), tie('micheline'), tie('micheline')).map(([prim, a, b]) => ({ prim, args: [a, b] })),
    fc.array(tie('micheline'), { minLength: 3, maxLength: 4 }).map((args) => ({ prim: 'Pair', args })),
    fc.array(tie('micheline'), { maxLength: 3 }),
  ),
}));

const manager = { source: pkh, fee: natural, counter: natural, gas_limit: natural, storage_limit: natural };
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const managerOperations = fc.oneof(
  fc.record({ kind: fc.constant('reveal'), ...manager, public_key: publicKey, proof: opt(blsProof) }),
  fc.record({
    kind: fc.constant('transaction'),
    ...manager,
    amount: natural,
    destination: address,
    parameters: opt(fc.record({ entrypoint: fc.oneof(fc.constantFrom('default', 'stake', 'unstake', 'finalize_unstake', 'set_delegate_parameters', 'do'), entrypointName), value: micheline })),
  }),
  fc.record({ kind: fc.constant('origination'), ...manager, balance: natural, delegate: opt(pkh), script: fc.record({ code: micheline, storage: micheline }) }),
  fc.record({ kind: fc.constant('delegation'), ...manager, delegate: opt(pkh) }),
  fc.record({ kind: fc.constant('register_global_constant'), ...manager, value: micheline }),
  fc.record({ kind: fc.constant('set_deposits_limit'), ...manager, limit: opt(natural) }),
  fc.record({ kind: fc.constant('increase_paid_storage'), ...manager, amount: natural, destination: kt1 }),
  fc.record({ kind: fc.constantFrom('update_consensus_key', 'update_companion_key'), ...manager, pk: publicKey, proof: opt(blsProof) }),
  fc.record({
    kind: fc.constant('transfer_ticket'),
    ...manager,
    ticket_contents: micheline,
    ticket_ty: micheline,
    ticket_ticketer: address,
    ticket_amount: natural,
    destination: address,
    entrypoint: entrypointName,
  }),
  fc.record({
    kind: fc.constant('smart_rollup_originate'),
    ...manager,
    pvm_kind: fc.constantFrom('arith', 'wasm_2_0_0', 'riscv'),
    kernel: bytesHex,
    parameters_ty: micheline,
    whitelist: opt(fc.array(pkh, { maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('smart_rollup_add_messages'), ...manager, message: fc.array(bytesHex, { maxLength: 4 }) }),
  fc.record({
    kind: fc.constant('smart_rollup_execute_outbox_message'),
    ...manager,
    rollup: encoded(PrefixV2.SmartRollupHash, 20),
    cemented_commitment: encoded(PrefixV2.SmartRollupCommitmentHash, 32),
    output_proof: bytesHex,
  }),
  fc.record({
    kind: fc.constant('dal_publish_commitment'),
    ...manager,
    slot_header: fc.record({ slot_index: fc.integer({ min: 0, max: 255 }), commitment: encoded(PrefixV2.SlotHeader, 48), commitment_proof: hexOf(96) }),
  }),
);

const otherOperations = fc.oneof(
  fc.record({ kind: fc.constant('activate_account'), pkh: encoded(PrefixV2.Ed25519PublicKeyHash, 20), secret: hexOf(20) }),
  fc.record({ kind: fc.constant('seed_nonce_revelation'), level: int32, nonce: hexOf(32) }),
  fc.record({ kind: fc.constant('proposals'), source: pkh, period: int32, proposals: fc.array(protocolHash, { minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('ballot'), source: pkh, period: int32, proposal: protocolHash, ballot: fc.constantFrom('yay', 'nay', 'pass') }),
  fc.record({ kind: fc.constant('drain_delegate'), consensus_key: pkh, delegate: pkh, destination: pkh }),
  fc.record({ kind: fc.constant('failing_noop'), arbitrary: bytesHex }),
);

// a batch holds manager operations only; any other operation travels alone
const contents = fc.oneof(fc.array(managerOperations, { minLength: 1, maxLength: 5 }), otherOperations.map((op) => [op]));

type Forged = { kind: string; parameters?: { entrypoint: string }; entrypoint?: string };
const expectedEntrypoint = (op: Forged): string | undefined =>
  op.kind === 'transaction' ? (op.parameters?.entrypoint ?? 'default') : op.kind === 'transfer_ticket' ? op.entrypoint : undefined;

describe('operation decoding against Taquito local-forging', () => {
  const forger = new LocalForger();

  it('reports the kinds and entrypoints of random forged operations', async () => {
    await fc.assert(
      fc.asyncProperty(branch, contents, async (branchHash, ops) => {
        const cleaned = ops.map((op) => defined(op as object)) as unknown as Forged[];
        const forged = await forger.forge({ branch: branchHash, contents: cleaned as never });
        const request = parseRequest(hexToBytes(`03${forged}`), 'ed25519');
        expect(request).toMatchObject({ kind: 'operation', branch: branchHash, operationKinds: cleaned.map((op) => op.kind) });
        if (request.kind !== 'operation') return;
        request.contents.forEach((summary, i) => {
          expect((summary as { entrypoint?: string }).entrypoint).toBe(expectedEntrypoint(cleaned[i] as Forged));
        });
      }),
      { numRuns: 400 },
    );
  });
});
