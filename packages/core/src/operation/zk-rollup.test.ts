import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { account, hashOf, hexOf, integer, type Laid, manager, managerFields, managerHex, SOME_MANAGER_HEX, sized, sizedHex, u32 } from '../../../../test-support/octez-layout.js';
import { micheline, michelineHex } from '../../../../test-support/taquito-operations.js';
import type { Micheline } from '../micheline/expression.js';
import { isTezsignerError } from '../errors.js';
import { decodeOperation } from './decoder.js';
import type { ZkRollupCircuit, ZkRollupL2Operation } from './zk-rollup.js';

// zk_rollup_origination (250), zk_rollup_publish (251) and zk_rollup_update (252) have no
// independent forger (Taquito 23 does not forge them) and no octez encoding sample: laid out here
// from octez's encodings (tezos/tezos-mirror master d26a8bef8215, src/proto_alpha/lib_protocol,
// the same in proto_025_PsUshuai but for l1_dst, a public key hash there, the same bytes):
// operation_repr.ml (the three cases), zk_rollup_account_repr.ml `circuits_info_encoding` (a list
// of a string and a uint8 tag 0 public / 1 private / 2 fee), zk_rollup_operation_repr.ml (int31
// op code, price = 32-byte ticket hash + z amount, l1_dst, 20-byte rollup, scalar array),
// zk_rollup_ticket_repr.ml (two Michelson expressions, unwrapped, and a contract),
// zk_rollup_update_repr.ml, and src/lib_plonk/main_protocol.ml (scalars 32 bytes, arrays and
// Plonk proofs / public parameters length-prefixed). A publish's ticket is a Data_encoding
// `option` (data-encoding/src/encoding.ml: tag 0 none, tag 1 some, not 0xff). Base58 expected
// from Taquito's encoder, Michelson bytes from Taquito's forger.

const BRANCH_HEX = 'aa'.repeat(32);
const decode = (contentHex: string) => decodeOperation(Buffer.from(`03${BRANCH_HEX}${contentHex}`, 'hex'));
const zkRollup = hashOf(PrefixV2.ZkRollupHash, 20);
const scalars = fc.array(hexOf(32), { maxLength: 5 });
const scalarArray = (values: readonly string[]) => sized(values.join(''));
const int31 = fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 1 });
const name = fc.string({ maxLength: 10, unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) });
const nameHex = (text: string) => sized(Buffer.from(text, 'latin1').toString('hex'));

const circuits: fc.Arbitrary<Laid<ZkRollupCircuit[]>> = fc
  .uniqueArray(fc.tuple(name, fc.integer({ min: 0, max: 2 })), { maxLength: 4, selector: ([text]) => text })
  .map((list) => ({
    hex: sized(list.map(([text, tag]) => `${nameHex(text)}0${tag}`).join('')),
    value: list.map(([text, tag]) => ({ name: text, kind: (['public', 'private', 'fee'] as const)[tag] as ZkRollupCircuit['kind'] })),
  }));

const ticketer = fc.oneof(account.map((a) => ({ hex: `00${a.hex}`, text: a.text })), hexOf(20).map((hash) => ({ hex: `01${hash}00`, text: b58Encode(hash, PrefixV2.ContractHash) })));

const l2Operation: fc.Arbitrary<Laid<ZkRollupL2Operation>> = fc
  .tuple(int31, hashOf(PrefixV2.ScriptExpr, 32), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), account, zkRollup, scalars, fc.option(fc.tuple(micheline, micheline, ticketer), { nil: undefined }))
  .map(([opCode, id, amount, l1, rollup, payload, ticket]) => {
    const hex = `${u32(opCode)}${id.hex}${integer(amount)}${l1.hex}${rollup.hex}${scalarArray(payload)}`;
    const value = { opCode, price: { id: id.text, amount }, l1Destination: l1.text, rollupId: rollup.text, payload };
    if (ticket === undefined) return { hex: `${hex}00`, value };
    const [contents, type, issuer] = ticket;
    const [contentsHex, typeHex] = [michelineHex(contents), michelineHex(type)];
    return {
      hex: `${hex}01${contentsHex}${typeHex}${issuer.hex}`,
      value: { ...value, ticket: { contents: { expression: contents as Micheline, size: contentsHex.length / 2 }, type: { expression: type as Micheline, size: typeHex.length / 2 }, ticketer: issuer.text } },
    };
  });

const pendingPi = fc.tuple(name, scalars, hexOf(32), fc.boolean()).map(([circuit, newState, fee, exitValidity]) => ({
  hex: `${nameHex(circuit)}${scalarArray(newState)}${fee}${exitValidity ? 'ff' : '00'}`,
  value: { circuit, newState, fee, exitValidity },
}));
const privatePi = fc.tuple(name, scalars, hexOf(32)).map(([circuit, newState, fee]) => ({ hex: `${nameHex(circuit)}${scalarArray(newState)}${fee}`, value: { circuit, newState, fee } }));
const hexes = <T>(list: readonly Laid<T>[]) => sized(list.map((item) => item.hex).join(''));

describe('zk rollup operations, laid out from octez encodings', () => {
  it('decodes an origination, a publish and an update batched, each field as laid out', () => {
    fc.assert(
      fc.property(
        manager,
        fc.tuple(sizedHex(100), circuits, scalars, int31),
        fc.tuple(zkRollup, fc.array(l2Operation, { maxLength: 3 })),
        fc.tuple(fc.array(pendingPi, { maxLength: 3 }), fc.array(privatePi, { maxLength: 3 }), scalars, sizedHex(200)),
        (m, [publicParameters, circuitsInfo, initState, nbOps], [rollup, operations], [pending, privates, feeState, proof]) => {
          const head = managerHex(m);
          const fields = managerFields(m);
          const hex =
            `fa${head}${sized(publicParameters)}${circuitsInfo.hex}${scalarArray(initState)}${u32(nbOps)}` +
            `fb${head}${rollup.hex}${hexes(operations)}` +
            `fc${head}${rollup.hex}${hexes(pending)}${hexes(privates)}${scalarArray(feeState)}${sized(proof)}`;
          expect(decode(hex).contents).toStrictEqual([
            { kind: 'zk_rollup_origination', ...fields, publicParameters, circuitsInfo: circuitsInfo.value, initState, nbOps },
            { kind: 'zk_rollup_publish', ...fields, zkRollup: rollup.text, operations: operations.map((o) => o.value) },
            {
              kind: 'zk_rollup_update',
              ...fields,
              zkRollup: rollup.text,
              update: { pendingPis: pending.map((p) => p.value), privatePis: privates.map((p) => p.value), feePi: { newState: feeState }, proof },
            },
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });

  const ROLLUP = '77'.repeat(20);
  const l2 = (ticket: string) => `${u32(1)}${'88'.repeat(32)}${integer(5n)}00${'99'.repeat(20)}${ROLLUP}${scalarArray([])}${ticket}`;
  const publish = (ops: string) => `fb${SOME_MANAGER_HEX}${ROLLUP}${sized(ops)}`;
  const origination = (circuitsHex: string, state = scalarArray([]), nbOps = u32(1)) => `fa${SOME_MANAGER_HEX}${sized('')}${sized(circuitsHex)}${state}${nbOps}`;

  it('refuses what octez refuses, by number and where: tags, flags, ranges, ragged scalars, duplicate circuits', () => {
    const cases: Array<[string, RegExp]> = [
      [origination(`${nameHex('a')}03`), /circuit kind at byte \d+ is 3, not one of 0\.\.2/],
      [origination(`${nameHex('a')}00${nameHex('a')}01`), /circuits info at byte \d+ names a circuit twice/],
      [origination('', sized('00'.repeat(33))), /initial state at byte \d+ holds 33 bytes, not a whole number of 32-byte scalars/],
      [origination('', scalarArray([]), u32(2 ** 30)), /number of operations at byte \d+ is 1073741824, outside the 31-bit range/],
      // an optional field's 0xff is not a Data_encoding option's "some"
      [publish(l2('ff')), /option tag of deposited ticket at byte \d+ is 255, expected 0 \(none\) or 1 \(some\)/],
      [publish(l2('02')), /option tag of deposited ticket at byte \d+ is 2/],
      [`fc${SOME_MANAGER_HEX}${ROLLUP}${sized(`${nameHex('c')}${scalarArray([])}${'00'.repeat(32)}01`)}`, /exit validity at byte \d+ is 0x01, expected 0x00 \(false\) or 0xff \(true\)/],
    ];
    for (const [hex, message] of cases) expect(thrownMessage('BAD_REQUEST', () => decode(hex))).toMatch(message);
  });

  it('refuses every truncation of each kind with a BAD_REQUEST', () => {
    const ticket = `01${michelineHex({ string: 'x' })}${michelineHex({ prim: 'string' })}01${'66'.repeat(20)}00`;
    const shapes = [
      origination(`${nameHex('main')}00${nameHex('fee')}02`, scalarArray(['11'.repeat(32)])),
      publish(`${l2('00')}${l2(ticket)}`),
      `fc${SOME_MANAGER_HEX}${ROLLUP}${sized(`${nameHex('c')}${scalarArray(['22'.repeat(32)])}${'00'.repeat(32)}ff`)}${sized('')}${scalarArray([])}${sized('abcd')}`,
    ];
    for (const shape of shapes) {
      expect(() => decode(shape)).not.toThrow();
      for (let cut = 2; cut < shape.length; cut += 2) expect(thrownMessage('BAD_REQUEST', () => decode(shape.slice(0, cut)))).toMatch(/^request 0x03: truncated: /);
    }
  });

  it('random bytes after a zk-rollup tag and header: a BAD_REQUEST or a decoded operation, never another error', () => {
    fc.assert(
      fc.property(fc.constantFrom('fa', 'fb', 'fc'), fc.uint8Array({ maxLength: 160 }), (tag, tail) => {
        try {
          decode(`${tag}${SOME_MANAGER_HEX}${Buffer.from(tail).toString('hex')}`);
        } catch (err) {
          expect(isTezsignerError(err, 'BAD_REQUEST')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
