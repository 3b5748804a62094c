import { b58Encode, PrefixV2 } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../../../test-support/vectors.js';
import { isTezsignerError } from '../errors.js';
import { bytesToHex } from '../encoding/hex.js';
import { parseRequest } from '../request/parse.js';
import { buildAttestationRequest, buildBlockRequest, buildPreattestationRequest, type ConsensusSigner } from './consensus-requests.js';

interface RequestVector {
  name: string;
  kind: string;
  signer?: string;
  chain_id: string;
  level: number;
  round: number;
  bytes_hex: string;
}
const vectors = loadVectors<{ requests: RequestVector[] }>('requests').requests;
const vector = (name: string): RequestVector => {
  const found = vectors.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no request vector ${name}`);
  return found;
};
const filled = (byte: number, length = 32) => new Uint8Array(length).fill(byte);
// the filler bytes the vectors were laid out with (test-vectors/requests.json), as a user gives them
const PAYLOAD = b58Encode('dd'.repeat(32), PrefixV2.ValueHash);
const BRANCH = b58Encode('ee'.repeat(32), PrefixV2.BlockHash);

describe('request builders, against the independent vectors', () => {
  it('lays out a Tenderbake block byte for byte', () => {
    const common = { predecessor: filled(0xaa), timestamp: 0x6b86db00, operationsHash: filled(0xbb), context: filled(0xcc), payloadHash: PAYLOAD };
    const first = vector('block level 5000000 round 0');
    expect(bytesToHex(buildBlockRequest({ ...common, chainId: first.chain_id, level: first.level, round: first.round }))).toBe(first.bytes_hex);
    const locked = vector('block level 5000000 round 2 with locked round 1');
    expect(bytesToHex(buildBlockRequest({ ...common, chainId: locked.chain_id, level: locked.level, round: locked.round, lockedRound: 1, predecessorRound: 3 }))).toBe(locked.bytes_hex);
  });

  it.each([
    ['preattestation', undefined],
    ['attestation', undefined],
    ['preattestation by a tz4 key (no slot)', 'tz4'],
    ['attestation by a tz4 key (no slot)', 'tz4'],
  ] as const)('lays out the %s byte for byte', (name, signer) => {
    const v = vector(name);
    const fields = { chainId: v.chain_id, level: v.level, round: v.round, branch: BRANCH, payloadHash: PAYLOAD, ...(signer === undefined ? { slot: 7 } : { signer }) };
    const built = v.kind === 'preattestation' ? buildPreattestationRequest(fields) : buildAttestationRequest(fields);
    expect(bytesToHex(built)).toBe(v.bytes_hex);
  });

  it('lays out an attestation with DAL content byte for byte', () => {
    const v = vector('attestation with DAL content');
    const built = buildAttestationRequest({ chainId: v.chain_id, level: v.level, round: v.round, branch: filled(0xee), payloadHash: filled(0xdd), slot: 3, dal: 65n });
    expect(bytesToHex(built)).toBe(v.bytes_hex);
  });
});

describe('request builders, read back by the parser', () => {
  const chainId = 'NetXH12Aer3be93';
  it.each(['tz1', 'tz2', 'tz3', 'tz4'] as const)('gives %s keys requests at the chain, level, round and payload chosen', (signer) => {
    const curve = ({ tz1: 'ed25519', tz2: 'secp256k1', tz3: 'p256', tz4: 'bls12_381' } as const)[signer];
    const at = { chainId, level: 123_456, round: 3 };
    expect(parseRequest(buildBlockRequest(at), curve)).toMatchObject({ kind: 'block', ...at });
    expect(parseRequest(buildPreattestationRequest({ ...at, signer }), curve)).toMatchObject({ kind: 'preattestation', ...at });
    expect(parseRequest(buildAttestationRequest({ ...at, signer }), curve)).toMatchObject({ kind: 'attestation', ...at });
  });

  it('makes other bytes at one position when the payload changes, the same bytes otherwise', () => {
    const a = buildBlockRequest({ level: 9, round: 1, payloadHash: filled(1) });
    expect(buildBlockRequest({ level: 9, round: 1, payloadHash: filled(1) })).toEqual(a);
    expect(buildBlockRequest({ level: 9, round: 1, payloadHash: filled(2) })).not.toEqual(a);
    expect(bytesToHex(buildAttestationRequest({ level: 9, payloadHash: filled(1) }))).not.toBe(bytesToHex(buildAttestationRequest({ level: 9, payloadHash: filled(2) })));
  });

  it('takes a full address as the signer', () => {
    const tz4 = buildAttestationRequest({ level: 5, signer: 'tz4HVR6aty9KwsQFHh81C1G7gBdhxT8kuytm' });
    expect(tz4).toEqual(buildAttestationRequest({ level: 5, signer: 'tz4' }));
    expect(tz4).not.toEqual(buildAttestationRequest({ level: 5, signer: 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb' }));
  });
});

describe('request builders refuse what octez would not send', () => {
  it.each([
    ['a negative level', () => buildBlockRequest({ level: -1 })],
    ['a round past 32 bits', () => buildAttestationRequest({ level: 1, round: 2 ** 31 })],
    ['a locked round not below the round', () => buildBlockRequest({ level: 1, round: 1, lockedRound: 1 })],
    ['a slot on a tz4 key', () => buildAttestationRequest({ level: 1, signer: 'tz4', slot: 2 })],
    ['DAL content on a tz4 key', () => buildAttestationRequest({ level: 1, signer: 'tz4', dal: 1n })],
    ['a slot past 16 bits', () => buildPreattestationRequest({ level: 1, slot: 70_000 })],
    ['a payload hash of another kind', () => buildBlockRequest({ level: 1, payloadHash: BRANCH })],
    ['a payload hash of 31 bytes', () => buildBlockRequest({ level: 1, payloadHash: filled(1, 31) })],
    ['a chain id that is not one', () => buildBlockRequest({ level: 1, chainId: BRANCH })],
    ['a signer that is no address', () => buildAttestationRequest({ level: 1, signer: 'tz5' as ConsensusSigner })],
  ])('refuses %s with BAD_REQUEST or INVALID_ENCODING', (_what, build) => {
    let thrown: unknown;
    try {
      build();
    } catch (err) {
      thrown = err;
    }
    expect(isTezsignerError(thrown, 'BAD_REQUEST') || isTezsignerError(thrown, 'INVALID_ENCODING')).toBe(true);
  });
});
