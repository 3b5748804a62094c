// Random operation contents in Taquito's JSON shape, for forging with @taquito/local-forging:
// every kind Taquito forges, with field values across their whole encodable ranges.
import { CODEC, getCodec } from '@taquito/local-forging';
import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';

export type TaquitoContent = { kind: string } & Record<string, unknown>;

const hexOf = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => Buffer.from(b).toString('hex'));
export const encoded = (prefix: PrefixV2, length: number) => hexOf(length).map((hex) => b58Encode(hex, prefix));

export const pkh = fc.oneof(
  encoded(PrefixV2.Ed25519PublicKeyHash, 20),
  encoded(PrefixV2.Secp256k1PublicKeyHash, 20),
  encoded(PrefixV2.P256PublicKeyHash, 20),
  encoded(PrefixV2.BLS12_381PublicKeyHash, 20),
);
export const kt1 = encoded(PrefixV2.ContractHash, 20);
const address = fc.oneof(pkh, kt1);
const publicKey = fc.oneof(
  encoded(PrefixV2.Ed25519PublicKey, 32),
  encoded(PrefixV2.Secp256k1PublicKey, 33),
  encoded(PrefixV2.P256PublicKey, 33),
  encoded(PrefixV2.BLS12_381PublicKey, 48),
);
const blsProof = encoded(PrefixV2.BLS12_381Signature, 96);
const protocolHash = encoded(PrefixV2.ProtocolHash, 32);
export const branch = encoded(PrefixV2.BlockHash, 32);
// small and huge alike: the decoder must be exact over the whole range a field may hold
const naturalUpTo = (bits: bigint) => fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 2n ** bits - 1n })).map(String);
// tez amounts, gas and storage limits are at most 10 zarith bytes (70 bits); counters are not bounded
const bounded = naturalUpTo(70n);
const natural = naturalUpTo(200n);
const int32 = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const bytesHex = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex'));
const entrypointName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

export const { micheline } = fc.letrec<{ micheline: unknown }>((tie) => ({
  micheline: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => ({ int: n.toString() })),
    // printable ASCII (quotes and backslashes included) and line breaks, as Michelson strings allow
    fc.string({ maxLength: 12, unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '\t'), fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code))) }).map((string) => ({ string })),
    bytesHex.map((bytes) => ({ bytes })),
    fc.constantFrom('Unit', 'True', 'False', 'None', 'unit', 'nat', 'IS_IMPLICIT_ACCOUNT').map((prim) => ({ prim })),
    fc.tuple(fc.constantFrom('Some', 'Left', 'Right', 'option', 'list'), tie('micheline'), fc.option(fc.constantFrom(['%a'], [':t', '@v']), { nil: undefined })).map(
      ([prim, arg, annots]) => ({ prim, args: [arg], ...(annots ? { annots } : {}) }),
    ),
    fc.tuple(fc.constantFrom('Pair', 'Elt', 'or', 'map'), tie('micheline'), tie('micheline')).map(([prim, a, b]) => ({ prim, args: [a, b] })),
    fc.array(tie('micheline'), { minLength: 3, maxLength: 4 }).map((args) => ({ prim: 'Pair', args })),
    fc.array(tie('micheline'), { maxLength: 3 }),
  ),
}));

const manager = { source: pkh, fee: bounded, counter: natural, gas_limit: bounded, storage_limit: bounded };

/** Drops the optional fields fc.record left undefined, as a forger expects. */
const defined = (o: object): TaquitoContent => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as TaquitoContent;

export const managerContent: fc.Arbitrary<TaquitoContent> = fc
  .oneof(
    fc.record({ kind: fc.constant('reveal'), ...manager, public_key: publicKey, proof: opt(blsProof) }),
    fc.record({
      kind: fc.constant('transaction'),
      ...manager,
      amount: bounded,
      destination: address,
      parameters: opt(
        fc.record({
          entrypoint: fc.oneof(fc.constantFrom('default', 'root', 'do', 'set_delegate', 'remove_delegate', 'deposit', 'stake', 'unstake', 'finalize_unstake', 'set_delegate_parameters'), entrypointName),
          value: micheline,
        }),
      ),
    }),
    fc.record({ kind: fc.constant('origination'), ...manager, balance: bounded, delegate: opt(pkh), script: fc.record({ code: micheline, storage: micheline }) }),
    fc.record({ kind: fc.constant('delegation'), ...manager, delegate: opt(pkh) }),
    fc.record({ kind: fc.constant('register_global_constant'), ...manager, value: micheline }),
    fc.record({ kind: fc.constant('set_deposits_limit'), ...manager, limit: opt(bounded) }),
    // octez encodes this amount as a signed zarith (Data_encoding.z), Taquito as a natural: the two
    // agree below 64 only, so larger amounts are checked against hand-made bytes instead
    fc.record({ kind: fc.constant('increase_paid_storage'), ...manager, amount: fc.integer({ min: 0, max: 63 }).map(String), destination: kt1 }),
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
  )
  .map(defined);

export const otherContent: fc.Arbitrary<TaquitoContent> = fc
  .oneof(
    fc.record({ kind: fc.constant('activate_account'), pkh: encoded(PrefixV2.Ed25519PublicKeyHash, 20), secret: hexOf(20) }),
    fc.record({ kind: fc.constant('seed_nonce_revelation'), level: int32, nonce: hexOf(32) }),
    fc.record({ kind: fc.constant('proposals'), source: pkh, period: int32, proposals: fc.array(protocolHash, { minLength: 1, maxLength: 20 }) }),
    fc.record({ kind: fc.constant('ballot'), source: pkh, period: int32, proposal: protocolHash, ballot: fc.constantFrom('yay', 'nay', 'pass') }),
    fc.record({ kind: fc.constant('drain_delegate'), consensus_key: pkh, delegate: pkh, destination: pkh }),
    fc.record({ kind: fc.constant('failing_noop'), arbitrary: bytesHex }),
  )
  .map(defined);

/** What one generic operation may hold: a batch of manager operations, or any other one alone. */
export const operationContents: fc.Arbitrary<TaquitoContent[]> = fc.oneof(fc.array(managerContent, { minLength: 1, maxLength: 5 }), otherContent.map((op) => [op]));

const encodeValue = getCodec(CODEC.VALUE, undefined as never).encoder as (value: unknown) => string;

/** A Michelson value's binary form as Taquito writes it, without the 4-byte length its encoder puts first. */
export const michelineHex = (value: unknown): string => encodeValue(value).slice(8);

/** A Michelson value as we decode it: the expression, and its binary size by Taquito's encoder. */
const michelson = (value: unknown) => ({ expression: value, size: michelineHex(value).length / 2 });

const big = (value: unknown): bigint => BigInt(value as string);
const header = (op: TaquitoContent) => ({ source: op.source, fee: big(op.fee), counter: big(op.counter), gasLimit: big(op.gas_limit), storageLimit: big(op.storage_limit) });
const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
const isUnit = (value: unknown) => typeof value === 'object' && value !== null && (value as { prim?: string }).prim === 'Unit' && !('args' in value) && !('annots' in value);

function transaction(op: TaquitoContent) {
  const parameters = op.parameters as { entrypoint: string; value: unknown } | undefined;
  // Taquito leaves out parameters that say nothing: the default entrypoint called with Unit
  const carried = parameters !== undefined && !(parameters.entrypoint === 'default' && isUnit(parameters.value));
  return {
    amount: big(op.amount),
    destination: op.destination,
    entrypoint: carried ? parameters.entrypoint : 'default',
    ...optional('parameters', carried ? michelson(parameters.value) : undefined),
  };
}

/** The content tezsigner must decode from what Taquito forged, field by field, in its own shape (camelCase, bigint). */
export function expectedContent(op: TaquitoContent): object {
  const kind = op.kind;
  switch (kind) {
    case 'reveal':
      return { kind, ...header(op), publicKey: op.public_key, ...optional('proof', op.proof) };
    case 'transaction':
      return { kind, ...header(op), ...transaction(op) };
    case 'origination': {
      const script = op.script as { code: unknown; storage: unknown };
      return { kind, ...header(op), balance: big(op.balance), ...optional('delegate', op.delegate), code: michelson(script.code), storage: michelson(script.storage) };
    }
    case 'delegation':
      return { kind, ...header(op), ...optional('delegate', op.delegate) };
    case 'register_global_constant':
      return { kind, ...header(op), value: michelson(op.value) };
    case 'set_deposits_limit':
      return { kind, ...header(op), ...optional('limit', op.limit === undefined ? undefined : big(op.limit)) };
    case 'increase_paid_storage':
      return { kind, ...header(op), amount: big(op.amount), destination: op.destination };
    case 'update_consensus_key':
    case 'update_companion_key':
      return { kind, ...header(op), publicKey: op.pk, ...optional('proof', op.proof) };
    case 'transfer_ticket':
      return {
        kind,
        ...header(op),
        ticketContents: michelson(op.ticket_contents),
        ticketType: michelson(op.ticket_ty),
        ticketer: op.ticket_ticketer,
        ticketAmount: big(op.ticket_amount),
        destination: op.destination,
        entrypoint: op.entrypoint,
      };
    case 'smart_rollup_originate':
      return { kind, ...header(op), pvmKind: op.pvm_kind, kernel: op.kernel, parametersType: michelson(op.parameters_ty), ...optional('whitelist', op.whitelist) };
    case 'smart_rollup_add_messages':
      return { kind, ...header(op), messages: op.message };
    case 'smart_rollup_execute_outbox_message':
      return { kind, ...header(op), rollup: op.rollup, cementedCommitment: op.cemented_commitment, outputProof: op.output_proof };
    case 'dal_publish_commitment': {
      const slot = op.slot_header as { slot_index: number; commitment: string; commitment_proof: string };
      return { kind, ...header(op), slotIndex: slot.slot_index, commitment: slot.commitment, commitmentProof: slot.commitment_proof };
    }
    case 'activate_account':
      return { kind, pkh: op.pkh, secret: op.secret };
    case 'seed_nonce_revelation':
      return { kind, level: op.level, nonce: op.nonce };
    case 'proposals':
      return { kind, source: op.source, period: op.period, proposals: op.proposals };
    case 'ballot':
      return { kind, source: op.source, period: op.period, proposal: op.proposal, ballot: op.ballot };
    case 'drain_delegate':
      return { kind, consensusKey: op.consensus_key, delegate: op.delegate, destination: op.destination };
    case 'failing_noop':
      return { kind, arbitrary: op.arbitrary };
    default:
      throw new Error(`no expectation for ${kind}`);
  }
}
