import { b58DecodeAndCheckPrefix, buf2hex, PrefixV2 } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { integer, sized, u16, u32, u8 } from '../../../../test-support/octez-layout.js';
import { loadVectors } from '../../../../test-support/vectors.js';
import { hexToBytes } from '../encoding/hex.js';
import { decodeOperation } from './decoder.js';

// dal_entrapment_evidence as octez itself encodes it: its encoding samples (JSON) and the binary
// octez-codec makes of them (test-vectors/octez-operations.json, each with its source). Expected
// fields come from octez's JSON, base58 read by Taquito; nothing from our own encoder.

interface Entrapment {
  attestation: { branch: string; signature: string; operations: { kind: string; slot?: number; level?: number; round?: number; block_payload_hash?: string; dal_attestation?: string } };
  consensus_slot: number;
  slot_index: number;
  lag_index?: number;
  shard_with_proof: { shard: [number, string[]]; proof: string };
}
interface Vector {
  name: string;
  source: string;
  bytes_hex: string;
  json: { branch: string; contents: Entrapment[] };
}

const vectors = loadVectors<{ operations: Vector[] }>('octez-operations').operations.filter((v) => v.name.includes('dal-entrapment'));
const payload = (text: string, prefix: PrefixV2): string => buf2hex(b58DecodeAndCheckPrefix(text, [prefix], true));

describe('dal_entrapment_evidence from octez encoding tests', () => {
  it('has both of octez samples, each with its source', () => {
    expect(vectors.map((v) => v.name).sort()).toEqual(['operation.unsigned-dal-entrapment-aggregate-evidence', 'operation.unsigned-dal-entrapment-evidence']);
    for (const vector of vectors) expect(vector.source).toMatch(/^tezos\/tezos-mirror [0-9a-f]{40}: /);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s decodes to the fields of its JSON', (_name, vector) => {
    const [want] = vector.json.contents;
    if (want === undefined) throw new Error('no contents');
    const decoded = decodeOperation(hexToBytes(vector.bytes_hex));
    expect(decoded.branch).toBe(vector.json.branch);
    expect(decoded.contents).toHaveLength(1);
    const [shardIndex, share] = want.shard_with_proof.shard;
    expect(decoded.contents[0]).toEqual({
      kind: 'dal_entrapment_evidence',
      attestation: expect.any(String),
      consensusSlot: want.consensus_slot,
      slotIndex: want.slot_index,
      lagIndex: want.lag_index,
      shard: { index: shardIndex, share: share.join(''), proof: want.shard_with_proof.proof },
    });
    // the denounced attestation is kept whole: its shell branch first, its signature last
    const { attestation } = decoded.contents[0] as { attestation: string };
    expect(attestation.startsWith(payload(want.attestation.branch, PrefixV2.BlockHash))).toBe(true);
    const signature = want.attestation.signature.startsWith('BLsig') ? payload(want.attestation.signature, PrefixV2.BLS12_381Signature) : payload(want.attestation.signature, PrefixV2.GenericSignature);
    expect(attestation.endsWith(signature)).toBe(true);
  });

  it('keeps an attestation with DAL exactly as octez lays it out (operation_repr.ml, tag 23)', () => {
    const vector = vectors.find((v) => v.name === 'operation.unsigned-dal-entrapment-evidence');
    const want = vector?.json.contents[0]?.attestation;
    if (vector === undefined || want === undefined) throw new Error('missing vector');
    const { slot = 0, level = 0, round = 0, block_payload_hash: payloadHash = '', dal_attestation: dal = '' } = want.operations;
    const expected =
      payload(want.branch, PrefixV2.BlockHash) + '17' + u16(slot) + u32(level) + u32(round) + payload(payloadHash, PrefixV2.ValueHash) + integer(BigInt(dal)) + payload(want.signature, PrefixV2.GenericSignature);
    expect(decodeOperation(hexToBytes(vector.bytes_hex)).contents[0]).toMatchObject({ attestation: expected });
  });

  it('refuses every truncation of them with a BAD_REQUEST, never a crash', () => {
    for (const vector of vectors) {
      const bytes = hexToBytes(vector.bytes_hex);
      for (let length = 34; length < bytes.length; length += 7) {
        expect(thrownMessage('BAD_REQUEST', () => decodeOperation(bytes.subarray(0, length)))).toMatch(/^request 0x03: /);
      }
    }
  });

  it('refuses a share that is not whole scalars and a bad presence flag of the lag index, saying where', () => {
    const vector = vectors.find((v) => v.name === 'operation.unsigned-dal-entrapment-evidence');
    if (vector === undefined) throw new Error('missing vector');
    const hex = vector.bytes_hex;
    // after magic, branch, tag and the 0x90-byte attestation: slot (2), slot index (1), lag flag at byte 185
    const lagFlag = 1 + 32 + 1 + 4 + 0x90 + 3;
    expect(hex.slice(2 * lagFlag, 2 * lagFlag + 2)).toBe('ff');
    const badFlag = `${hex.slice(0, 2 * lagFlag)}01${hex.slice(2 * lagFlag + 2)}`;
    expect(thrownMessage('BAD_REQUEST', () => decodeOperation(hexToBytes(badFlag)))).toMatch(/presence flag of lag index at byte 185 is 0x01/);
    // the share's length (2048 bytes: 64 scalars) made one byte shorter, and the operation with it
    const shareLength = lagFlag + 2 + 4;
    expect(hex.slice(2 * shareLength, 2 * shareLength + 8)).toBe('00000800');
    const ragged = `${hex.slice(0, 2 * shareLength)}000007ff${hex.slice(2 * shareLength + 8, 2 * (shareLength + 4 + 2047))}${hex.slice(2 * (shareLength + 4 + 2048))}`;
    expect(thrownMessage('BAD_REQUEST', () => decodeOperation(hexToBytes(ragged)))).toMatch(/shard share at byte \d+ holds 2047 bytes, not a whole number of 32-byte scalars/);
  });

  it('refuses a denounced operation that is no consensus operation, by its tag, or too short to have one', () => {
    // octez's inlined_consensus_operation_encoding: branch, then one of tags 20, 21, 23, 30, 31
    const evidence = (attestation: string) => `03${'aa'.repeat(32)}18${sized(attestation)}00050f00${u32(1)}${sized('')}${'bb'.repeat(48)}`;
    for (const tag of [20, 21, 23, 30, 31]) expect(decodeOperation(hexToBytes(evidence(`${'cc'.repeat(32)}${u8(tag)}`))).contents[0]?.kind).toBe('dal_entrapment_evidence');
    for (const tag of [0, 22, 40, 41, 107]) {
      expect(thrownMessage('BAD_REQUEST', () => decodeOperation(hexToBytes(evidence(`${'cc'.repeat(32)}${u8(tag)}`))))).toMatch(
        new RegExp(`denounced attestation at byte 34 has operation tag ${tag}, not one of a consensus operation \\(20, 21, 23, 30, 31\\)`),
      );
    }
    expect(thrownMessage('BAD_REQUEST', () => decodeOperation(hexToBytes(evidence('cc'.repeat(32)))))).toMatch(/truncated: denounced attestation at byte 34 holds 32 bytes/);
  });
});
