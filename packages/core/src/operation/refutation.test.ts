import { PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { account, hashOf, i16, type Laid, manager, managerFields, managerHex, natural, SOME_MANAGER_HEX, sized, sizedHex, smartRollup, u16, u32, u8 } from '../../../../test-support/octez-layout.js';
import { isTezsignerError } from '../errors.js';
import { decodeOperation } from './decoder.js';
import type { InputProof, Refutation, RevealProof } from './refutation.js';

// smart_rollup_refute (tag 204) has no independent forger (Taquito 23 does not forge it) and no
// octez encoding sample, so it is laid out here from octez's encodings (tezos/tezos-mirror master
// d26a8bef8215, src/proto_alpha/lib_protocol, identical in proto_025_PsUshuai):
// operation_repr.ml `sc_rollup_refute_case` (rollup, opponent, refutation);
// sc_rollup_game_repr.ml `refutation_encoding` (uint8 tag: 0 Start = two commitment hashes,
// 1 Move = choice tick `n` + step) and `step_encoding` (uint8 tag: 0 Dissection = a list of
// chunks, 1 Proof); sc_rollup_dissection_chunk_repr.ml (`opt "state"`, tick `n`);
// sc_rollup_proof_repr.ml (`pvm_step` a string, `opt "input_proof"`: 0 inbox proof = int32
// level, `n` message counter, string proof; 1 reveal proof: 0 raw data = uint16-sized string of
// at most 4096 bytes, 1 metadata, 2 DAL page = int32 level, uint8 slot, int16 page, bytes proof,
// 3 DAL parameters; 2 first input). Optional fields are 0x00 / 0xff (data-encoding
// binary_writer.ml). Base58 texts expected come from Taquito's encoder.

const BRANCH_HEX = 'aa'.repeat(32);
const decode = (contentHex: string) => decodeOperation(Buffer.from(`03${BRANCH_HEX}${contentHex}`, 'hex'));
const commitment = hashOf(PrefixV2.SmartRollupCommitmentHash, 32);
const state = hashOf(PrefixV2.SmartRollupStateHash, 32);
const tick = fc.bigInt({ min: 0n, max: 2n ** 90n });
const level = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const chunk = fc.tuple(fc.option(state, { nil: undefined }), tick).map(([s, t]) => ({
  hex: `${s === undefined ? '00' : `ff${s.hex}`}${natural(t)}`,
  value: s === undefined ? { tick: t } : { state: s.text, tick: t },
}));

const revealProof: fc.Arbitrary<Laid<RevealProof>> = fc.oneof(
  sizedHex(200).map((raw) => ({ hex: `00${u16(raw.length / 2)}${raw}`, value: { kind: 'raw_data_proof' as const, rawData: raw } })),
  fc.constant({ hex: '01', value: { kind: 'metadata_proof' as const } }),
  fc.tuple(level, fc.integer({ min: 0, max: 255 }), fc.integer({ min: -32768, max: 32767 }), sizedHex()).map(([published, slot, page, proof]) => ({
    hex: `02${u32(published)}${u8(slot)}${i16(page)}${sized(proof)}`,
    value: { kind: 'dal_page_proof' as const, publishedLevel: published, slotIndex: slot, pageIndex: page, dalProof: proof },
  })),
  fc.constant({ hex: '03', value: { kind: 'dal_parameters_proof' as const } }),
);

const inputProof: fc.Arbitrary<Laid<InputProof>> = fc.oneof(
  fc.tuple(level, fc.bigInt({ min: 0n, max: 2n ** 70n }), sizedHex()).map(([at, counter, proof]) => ({
    hex: `00${u32(at)}${natural(counter)}${sized(proof)}`,
    value: { kind: 'inbox_proof' as const, level: at, messageCounter: counter, serializedProof: proof },
  })),
  revealProof.map((reveal) => ({ hex: `01${reveal.hex}`, value: { kind: 'reveal_proof' as const, revealProof: reveal.value } })),
  fc.constant({ hex: '02', value: { kind: 'first_input' as const } }),
);

const refutation: fc.Arbitrary<Laid<Refutation>> = fc.oneof(
  fc.tuple(commitment, commitment).map(([player, opponent]) => ({
    hex: `00${player.hex}${opponent.hex}`,
    value: { kind: 'start' as const, playerCommitment: player.text, opponentCommitment: opponent.text },
  })),
  fc.tuple(tick, fc.array(chunk, { maxLength: 8 })).map(([choice, chunks]) => ({
    hex: `01${natural(choice)}00${sized(chunks.map((c) => c.hex).join(''))}`,
    value: { kind: 'move' as const, choice, step: { kind: 'dissection' as const, chunks: chunks.map((c) => c.value) } },
  })),
  fc.tuple(tick, sizedHex(300), fc.option(inputProof, { nil: undefined })).map(([choice, pvmStep, input]) => ({
    hex: `01${natural(choice)}01${sized(pvmStep)}${input === undefined ? '00' : `ff${input.hex}`}`,
    value: { kind: 'move' as const, choice, step: input === undefined ? { kind: 'proof' as const, pvmStep } : { kind: 'proof' as const, pvmStep, inputProof: input.value } },
  })),
);

/** A refutation of each shape, fixed, for the refusal tests. */
const START = `00${'33'.repeat(32)}${'44'.repeat(32)}`;
const refute = (refutationHex: string) => `cc${SOME_MANAGER_HEX}${'22'.repeat(20)}00${'55'.repeat(20)}${refutationHex}`;

describe('smart_rollup_refute, laid out from octez encodings', () => {
  it('decodes every shape of refutation, and what follows it in a batch is read as what it is', () => {
    fc.assert(
      fc.property(manager, smartRollup, account, refutation, (m, rollup, opponent, r) => {
        // a smart_rollup_cement after it: a refutation read one byte short or long would misread it
        const cement = `ca${managerHex(m)}${rollup.hex}`;
        const fields = managerFields(m);
        expect(decode(`cc${managerHex(m)}${rollup.hex}${opponent.hex}${r.hex}${cement}`).contents).toStrictEqual([
          { kind: 'smart_rollup_refute', ...fields, rollup: rollup.text, opponent: opponent.text, refutation: r.value },
          { kind: 'smart_rollup_cement', ...fields, rollup: rollup.text },
        ]);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses unknown tags at every level by number, and where they are', () => {
    const move = (step: string) => `01${natural(7n)}${step}`;
    const cases: Array<[string, RegExp]> = [
      [refute('02'), /refutation tag at byte 100 is 2, not one of 0\.\.1/],
      [refute(move('02')), /refutation step tag at byte 102 is 2, not one of 0\.\.1/],
      [refute(move(`01${sized('')}ff03`)), /input proof tag at byte 108 is 3, not one of 0\.\.2/],
      [refute(move(`01${sized('')}ff0104`)), /reveal proof tag at byte 109 is 4, not one of 0\.\.3/],
    ];
    for (const [hex, message] of cases) expect(thrownMessage('BAD_REQUEST', () => decode(hex))).toMatch(message);
  });

  it('refuses a raw-data reveal over 4096 bytes, a bad presence flag, a negative level', () => {
    const proofStep = (input: string) => refute(`01${natural(1n)}01${sized('')}${input}`);
    expect(thrownMessage('BAD_REQUEST', () => decode(proofStep(`ff0100${u16(4097)}${'00'.repeat(4097)}`)))).toMatch(/raw data at byte \d+ declares 4097 bytes, at most 4096 allowed/);
    expect(thrownMessage('BAD_REQUEST', () => decode(proofStep('01')))).toMatch(/presence flag of input proof at byte \d+ is 0x01/);
    expect(thrownMessage('BAD_REQUEST', () => decode(proofStep(`ff00${u32(2 ** 31)}00${sized('')}`)))).toMatch(/inbox proof level at byte \d+ is negative/);
    const dissection = refute(`01${natural(1n)}00${sized(`7f${natural(3n)}`)}`);
    expect(thrownMessage('BAD_REQUEST', () => decode(dissection))).toMatch(/presence flag of dissection state at byte \d+ is 0x7f/);
  });

  it('refuses every truncation of each shape with a BAD_REQUEST naming what was cut', () => {
    const shapes = [
      refute(START),
      refute(`01${natural(300n)}00${sized(`ff${'66'.repeat(32)}${natural(9n)}00${natural(10n)}`)}`),
      refute(`01${natural(300n)}01${sized('abcd')}ff0102${u32(5)}03${i16(-1)}${sized('ef')}`),
      refute(`01${natural(300n)}01${sized('abcd')}ff00${u32(5)}${natural(2n)}${sized('01')}`),
    ];
    for (const shape of shapes) {
      expect(() => decode(shape)).not.toThrow();
      for (let cut = 2; cut < shape.length; cut += 2) {
        expect(thrownMessage('BAD_REQUEST', () => decode(shape.slice(0, cut)))).toMatch(/^request 0x03: truncated: /);
      }
    }
  });

  it('refuses a dissection whose chunks overrun its declared length', () => {
    // the list declares 10 bytes, its one chunk takes 33 + 1: the chunk cannot read past the list
    const overrun = refute(`01${natural(1n)}00${u32(10)}ff${'66'.repeat(32)}${natural(9n)}`);
    expect(thrownMessage('BAD_REQUEST', () => decode(overrun))).toMatch(/truncated: dissection state needs 32 bytes/);
  });

  it('random bytes as the refutation: a BAD_REQUEST or a decoded refute, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        try {
          expect(decode(refute(Buffer.from(tail).toString('hex'))).contents[0]?.kind).toBe('smart_rollup_refute');
        } catch (err) {
          expect(isTezsignerError(err, 'BAD_REQUEST')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
