// What zk_rollup_origination, zk_rollup_publish and zk_rollup_update carry besides the manager
// header: octez protocol `operation_repr.ml` (their cases), `zk_rollup_account_repr.ml`
// (`circuits_info_encoding`), `zk_rollup_operation_repr.ml`, `zk_rollup_ticket_repr.ml`,
// `zk_rollup_update_repr.ml`, and the environment's Plonk (`src/lib_plonk/main_protocol.ml`:
// scalars are 32 bytes, arrays of them length-prefixed; public parameters and proofs are
// length-prefixed byte strings, kept as they are: only the Plonk verifier reads them).
import { readContract, readEnumerated, readHash, readHex, readImplicitAddress, readSizedHex, readSizedList } from './fields.js';
import type { MichelsonExpression } from '../micheline/expression.js';
import { decodeMicheline, latin1 } from '../micheline/decode.js';
import type { RequestReader } from '../request/reader.js';

const SCALAR_LENGTH = 32;
const ZK_ROLLUP_LENGTH = 20;
const TICKET_HASH_LENGTH = 32;
const CIRCUIT_KINDS = ['public', 'private', 'fee'] as const;

/** A circuit of the rollup and how its proofs are given. */
export interface ZkRollupCircuit {
  readonly name: string;
  readonly kind: (typeof CIRCUIT_KINDS)[number];
}

/** A ticket deposited with an L2 operation. */
export interface ZkRollupTicket {
  readonly contents: MichelsonExpression;
  readonly type: MichelsonExpression;
  /** tz1–tz4 or KT1 */
  readonly ticketer: string;
}

/** An L2 operation a zk_rollup_publish appends to the rollup's pending list. */
export interface ZkRollupL2Operation {
  readonly opCode: number;
  /** the ticket's hash (expr…) and its amount: positive a deposit, negative a withdrawal */
  readonly price: { readonly id: string; readonly amount: bigint };
  /** the implicit account on layer 1 that exits go to */
  readonly l1Destination: string;
  /** epx1 */
  readonly rollupId: string;
  /** hex scalars, 32 bytes each */
  readonly payload: readonly string[];
  readonly ticket?: ZkRollupTicket;
}

/** The public inputs and the Plonk proof of a zk_rollup_update. */
export interface ZkRollupUpdate {
  readonly pendingPis: readonly { readonly circuit: string; readonly newState: readonly string[]; readonly fee: string; readonly exitValidity: boolean }[];
  readonly privatePis: readonly { readonly circuit: string; readonly newState: readonly string[]; readonly fee: string }[];
  readonly feePi: { readonly newState: readonly string[] };
  /** hex: the Plonk proof, as carried */
  readonly proof: string;
}

export const readZkRollupAddress = (reader: RequestReader, what: string): string => readHash(reader, 'epx1', ZK_ROLLUP_LENGTH, what);

const readScalar = (reader: RequestReader, what: string): string => readHex(reader, SCALAR_LENGTH, what);

/** Plonk.scalar_array_encoding: a byte length, then 32-byte scalars filling it. */
export function readScalarArray(reader: RequestReader, what: string): string[] {
  const at = reader.offset;
  const items = reader.sizedReader(what);
  if (items.remaining % SCALAR_LENGTH !== 0) reader.fail(`${what} at byte ${at} holds ${items.remaining} bytes, not a whole number of ${SCALAR_LENGTH}-byte scalars`);
  const scalars: string[] = [];
  while (items.remaining > 0) scalars.push(readScalar(items, `scalar of ${what}`));
  return scalars;
}

/** A `string Plain`: a length-prefixed name, one character per byte as octez keeps it. */
const readName = (reader: RequestReader, what: string): string => latin1(reader.sized(what));

/** A Michelson expression carried as is (Script_repr.expr_encoding, no length prefix). */
function readExpression(reader: RequestReader): MichelsonExpression {
  const at = reader.offset;
  return { expression: decodeMicheline(reader), size: reader.offset - at };
}

export function readCircuitsInfo(reader: RequestReader): ZkRollupCircuit[] {
  const at = reader.offset;
  const circuits = readSizedList(reader, 'circuits info', (items) => ({ name: readName(items, 'circuit name'), kind: readEnumerated(items, 'circuit kind', CIRCUIT_KINDS) }));
  // octez refuses a circuits_info that names a circuit twice
  const names = new Set(circuits.map((circuit) => circuit.name));
  if (names.size !== circuits.length) reader.fail(`circuits info at byte ${at} names a circuit twice`);
  return circuits;
}

function readL2Operation(reader: RequestReader): ZkRollupL2Operation {
  const operation = {
    opCode: reader.int31('L2 operation code'),
    price: { id: readHash(reader, 'expr', TICKET_HASH_LENGTH, 'price ticket hash'), amount: reader.integer('price amount') },
    l1Destination: readImplicitAddress(reader, 'L1 destination'),
    rollupId: readZkRollupAddress(reader, 'L2 operation rollup'),
    payload: readScalarArray(reader, 'L2 operation payload'),
  };
  if (!reader.option('deposited ticket')) return operation;
  const ticket = {
    contents: readExpression(reader),
    type: readExpression(reader),
    ticketer: readContract(reader, 'ticketer'),
  };
  return { ...operation, ticket };
}

export const readL2Operations = (reader: RequestReader): ZkRollupL2Operation[] => readSizedList(reader, 'L2 operations', readL2Operation);

export function readZkRollupUpdate(reader: RequestReader): ZkRollupUpdate {
  const pendingPis = readSizedList(reader, 'pending public inputs', (items) => ({
    circuit: readName(items, 'circuit name'),
    newState: readScalarArray(items, 'new state'),
    fee: readScalar(items, 'fee'),
    exitValidity: items.bool('exit validity'),
  }));
  const privatePis = readSizedList(reader, 'private public inputs', (items) => ({
    circuit: readName(items, 'circuit name'),
    newState: readScalarArray(items, 'new state'),
    fee: readScalar(items, 'fee'),
  }));
  const feePi = { newState: readScalarArray(reader, 'fee circuit new state') };
  return { pendingPis, privatePis, feePi, proof: readSizedHex(reader, 'Plonk proof') };
}
