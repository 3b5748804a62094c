import { describe, expect, it } from 'vitest';
import { expectedContent, type TaquitoContent } from '../../../../test-support/taquito-operations.js';
import { loadVectors } from '../../../../test-support/vectors.js';
import type { Curve } from '../curve.js';
import { isTezsignerError } from '../errors.js';
import { hexToBytes } from '../encoding/hex.js';
import { parseRequest, watermarkOf, type SigningRequest } from './parse.js';

interface RequestVector {
  name: string;
  kind: string;
  magic_byte: string;
  signer?: 'tz4';
  chain_id?: string;
  level?: number;
  round?: number;
  operation_kinds?: string[];
  bytes_hex: string;
}
interface OperationVector {
  name: string;
  bytes_hex: string;
  branch: string;
  kinds: string[];
  contents: TaquitoContent[];
}

const requests = loadVectors<{ requests: RequestVector[] }>('requests').requests;
const operations = loadVectors<{ operations: OperationVector[] }>('operations').operations;
const NOT_TZ4: Curve[] = ['ed25519', 'secp256k1', 'p256'];

const byName = (name: string): RequestVector => {
  const found = requests.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no request vector ${name}`);
  return found;
};
const curvesFor = (v: RequestVector): Curve[] => (v.signer === 'tz4' ? ['bls12_381'] : NOT_TZ4);

/** The BAD_REQUEST message parseRequest gives, failing the test on any other outcome. */
function refusal(bytes: Uint8Array, signer: Curve = 'ed25519'): string {
  try {
    parseRequest(bytes, signer);
  } catch (err) {
    if (isTezsignerError(err, 'BAD_REQUEST')) return err.message;
    throw err;
  }
  throw new Error('expected BAD_REQUEST, the request was accepted');
}

const patched = (hex: string, at: number, replacement: string): Uint8Array => {
  const bytes = hexToBytes(hex);
  bytes.set(hexToBytes(replacement), at);
  return bytes;
};

describe('parseRequest on the shared request vectors', () => {
  for (const vector of requests) {
    for (const curve of curvesFor(vector)) {
      it(`${vector.name} (signed by ${curve})`, () => {
        const request = parseRequest(hexToBytes(vector.bytes_hex), curve);
        expect(request.magic).toBe(Number.parseInt(vector.magic_byte, 16));
        if (vector.kind === 'generic') {
          expect(request).toMatchObject({ kind: 'operation', operationKinds: vector.operation_kinds });
        } else if (vector.kind === 'michelson_data') {
          expect(request.kind).toBe('michelson_data');
        } else {
          expect(request).toMatchObject({ kind: vector.kind, chainId: vector.chain_id, level: vector.level, round: vector.round });
        }
      });
    }
  }

  it('reads the slot of a tz1/tz2/tz3 (pre)attestation and none for tz4', () => {
    expect(parseRequest(hexToBytes(byName('attestation').bytes_hex), 'p256')).toMatchObject({ slot: 7, withDal: false });
    expect(parseRequest(hexToBytes(byName('attestation with DAL content').bytes_hex), 'ed25519')).toMatchObject({ slot: 3, withDal: true });
    const tz4 = parseRequest(hexToBytes(byName('attestation by a tz4 key (no slot)').bytes_hex), 'bls12_381');
    expect(tz4).not.toHaveProperty('slot');
  });
});

describe('parseRequest on the shared operation vectors', () => {
  for (const vector of operations) {
    it(`${vector.name}: branch, kinds and every field of every content`, () => {
      const request = parseRequest(hexToBytes(vector.bytes_hex), 'ed25519');
      expect(request).toStrictEqual({ kind: 'operation', magic: 0x03, branch: vector.branch, operationKinds: vector.kinds, contents: vector.contents.map(expectedContent) });
    });
  }

  it('names the entrypoint of a stake (a transaction to oneself)', () => {
    const stake = operations.find((v) => v.name === 'stake');
    const request = parseRequest(hexToBytes(stake?.bytes_hex ?? ''), 'ed25519');
    expect(request).toMatchObject({ contents: [{ kind: 'transaction', entrypoint: 'stake' }] });
  });
});

describe('the (pre)attestation layout follows the signing key', () => {
  it('refuses the slotted layout for a tz4 key, naming the tag it expects', () => {
    expect(refusal(hexToBytes(byName('attestation').bytes_hex), 'bls12_381')).toMatch(/tz4 key signs an attestation with operation tag 41.*got tag 21/);
    expect(refusal(hexToBytes(byName('preattestation').bytes_hex), 'bls12_381')).toMatch(/operation tag 40.*got tag 20/);
  });

  it('refuses the slot-less tz4 layout for other keys', () => {
    for (const curve of NOT_TZ4) {
      expect(refusal(hexToBytes(byName('preattestation by a tz4 key (no slot)').bytes_hex), curve)).toMatch(/got tag 40 \(tag of the slot-less layout/);
    }
  });

  it('refuses a tag that does not match the magic byte', () => {
    const preattestation = byName('preattestation').bytes_hex;
    // 0x12 (preattestation) carrying tag 21 (attestation)
    expect(refusal(patched(preattestation, 37, '15'))).toMatch(/preattestation .* tag 20, got tag 21/);
    // 0x13 (attestation) carrying tag 20
    expect(refusal(patched(byName('attestation').bytes_hex, 37, '14'))).toMatch(/tag 21 or 23, got tag 20/);
  });

  it('refuses a negative DAL bitset', () => {
    // 0x41: a one-byte zarith integer with the sign bit set (−1)
    expect(refusal(patched(byName('attestation with DAL content').bytes_hex, 80, '4100').subarray(0, 81))).toMatch(/DAL attestation bitset at byte 80 is negative/);
  });

  it('refuses a negative level or round', () => {
    const attestation = byName('attestation').bytes_hex;
    expect(refusal(patched(attestation, 40, '80000000'))).toMatch(/level at byte 40 is negative/);
    expect(refusal(patched(attestation, 44, 'ffffffff'))).toMatch(/round at byte 44 is negative/);
  });
});

describe('Tenderbake block structure', () => {
  const block = byName('block level 5000000 round 0').bytes_hex;
  const locked = byName('block level 5000000 round 2 with locked round 1').bytes_hex;

  it('refuses a fitness that is not version 02', () => {
    expect(refusal(patched(block, 91, '01'))).toMatch(/fitness version at byte 91 is not 02/);
  });

  it('refuses a fitness level that differs from the header level', () => {
    expect(refusal(patched(block, 96, '004c4b41'))).toMatch(/fitness level 5000001 differs from the block level 5000000/);
  });

  it('refuses a fitness whose declared length runs past its elements or past the request', () => {
    expect(refusal(patched(block, 83, '00000025'))).toMatch(/fitness/);
    expect(refusal(patched(block, 83, '7fffffff'))).toMatch(/truncated: fitness at byte 83 declares 2147483647 bytes/);
  });

  it('refuses a locked round at or above the round', () => {
    // locked round element at byte 100..107: length 4 then 00000002, equal to the round 2
    expect(refusal(patched(locked, 104, '00000002'))).toMatch(/round 2 is not above its locked round 2/);
  });

  it('refuses a predecessor round not stored as −round−1', () => {
    expect(refusal(patched(block, 104, '00000000'))).toMatch(/predecessor round at byte 104/);
  });

  it('leaves the protocol data after the context hash unread, as octez does', () => {
    const bytes = hexToBytes(block);
    const changed = Uint8Array.from(bytes);
    changed[bytes.length - 2] = 0x01;
    expect(parseRequest(changed, 'ed25519')).toMatchObject({ kind: 'block', level: 5000000, round: 0 });
    const longer = new Uint8Array(bytes.length + 40);
    longer.set(bytes);
    expect(parseRequest(longer, 'ed25519')).toMatchObject({ kind: 'block', level: 5000000, round: 0 });
  });
});

/** Where a block's shell header ends: after it comes protocol data, which is left unread. */
const SHELL_HEADER_END = (bytes: Uint8Array) => 83 + 4 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(83) + 32;

describe('every truncation and extension of a vector is BAD_REQUEST (but a block\'s unread protocol data)', () => {
  const all = [...requests.map((v) => ({ name: v.name, hex: v.bytes_hex, signer: curvesFor(v)[0] as Curve })), ...operations.map((v) => ({ name: v.name, hex: v.bytes_hex, signer: 'ed25519' as Curve }))];
  // A batch cut exactly after one of its contents is a shorter batch, well formed.
  const batchBoundaries: Record<string, number[]> = { 'operation reveal_and_transaction': [95], reveal_and_transaction: [95] };
  for (const { name, hex, signer } of all) {
    it(name, () => {
      const bytes = hexToBytes(hex);
      const isBlock = bytes[0] === 0x11;
      for (let length = 0; length < bytes.length; length++) {
        if (isBlock && length >= SHELL_HEADER_END(bytes)) {
          expect(parseRequest(bytes.subarray(0, length), signer)).toMatchObject({ kind: 'block' });
          continue;
        }
        if (batchBoundaries[name]?.includes(length)) {
          expect(parseRequest(bytes.subarray(0, length), signer)).toMatchObject({ operationKinds: ['reveal'] });
          continue;
        }
        expect(refusal(bytes.subarray(0, length), signer), `truncated to ${length} bytes`).toMatch(/truncated|empty|Micheline|trailing/);
      }
      const extended = new Uint8Array(bytes.length + 1);
      extended.set(bytes);
      if (isBlock) expect(parseRequest(extended, signer)).toMatchObject({ kind: 'block' });
      else expect(refusal(extended, signer)).toMatch(/trailing|tag/);
    });
  }
});

describe('legacy and other magic bytes', () => {
  it('reads a legacy block level at byte 5 and round 0', () => {
    const bytes = hexToBytes(byName('block level 5000000 round 0').bytes_hex);
    bytes[0] = 0x01;
    const request = parseRequest(bytes, 'ed25519');
    expect(request).toMatchObject({ kind: 'block', magic: 0x01, chainId: 'NetXdQprcVkpaWU', level: 5000000, round: 0 });
    expect(watermarkOf(request)).toEqual({ kind: 'block', chainId: 'NetXdQprcVkpaWU', level: 5000000, round: 0 });
  });

  it('reads a legacy endorsement level in its last 4 bytes', () => {
    const hex = `027a06a770${'ee'.repeat(32)}00000f4240`;
    const request = parseRequest(hexToBytes(hex), 'ed25519');
    expect(request).toMatchObject({ kind: 'legacy_endorsement', magic: 0x02, chainId: 'NetXdQprcVkpaWU', level: 1000000, round: 0 });
    expect(watermarkOf(request)?.kind).toBe('legacy_endorsement');
    expect(refusal(hexToBytes(`${hex}00`))).toMatch(/trailing/);
  });

  it('parses 0x04 as an authentication naming its key, so it can be refused by name', () => {
    const vector = loadVectors<{ signed_bytes_hex: string; signing_key_hash: string }>('authentication');
    expect(parseRequest(hexToBytes(vector.signed_bytes_hex), 'ed25519')).toEqual({ kind: 'authentication', magic: 0x04, pkh: vector.signing_key_hash });
  });

  it('refuses empty and unknown requests', () => {
    expect(refusal(new Uint8Array())).toMatch(/empty request/);
    expect(refusal(hexToBytes('06'))).toMatch(/unknown magic byte 0x06/);
    expect(refusal(hexToBytes('ff00'))).toMatch(/unknown magic byte 0xff/);
  });

  it('refuses malformed Michelson data', () => {
    expect(refusal(hexToBytes('050b'))).toMatch(/unknown Micheline node tag 0x0b at byte 1/);
    expect(refusal(hexToBytes('0501000000ff61'))).toMatch(/truncated: Micheline string at byte 2 declares 255 bytes, 1 left/);
    // 1000 nested Some: deeper than any contract value
    expect(refusal(hexToBytes(`05${'0509'.repeat(1000)}030b`))).toMatch(/nested deeper than/);
  });

  it('reads nested Michelson data', () => {
    // Pair (Some 1) {"a"; 0x00} with an annotation on the pair
    const hex = '05' + '0807' + '0509' + '0001' + '02' + '0000000c' + '0100000001' + '61' + '0a' + '00000001' + '00' + '00000002' + '2561';
    const expression = { prim: 'Pair', args: [{ prim: 'Some', args: [{ int: '1' }] }, [{ string: 'a' }, { bytes: '00' }]], annots: ['%a'] };
    expect(parseRequest(hexToBytes(hex), 'ed25519')).toEqual({ kind: 'michelson_data', magic: 0x05, data: { expression, size: hex.length / 2 - 1 } });
  });

  it('passes Michelson data with a primitive of a later protocol, named as unknown', () => {
    // Some applied to primitive 0xfe, which no protocol this signer knows defines
    expect(parseRequest(hexToBytes('050509' + '03fe'), 'ed25519')).toMatchObject({ data: { expression: { prim: 'Some', args: [{ prim: 'unknown_primitive_0xfe' }] }, size: 4 } });
  });

  it('returns no watermark for operations and Michelson data', () => {
    const requestsWithout: SigningRequest[] = [
      parseRequest(hexToBytes(operations[0]?.bytes_hex ?? ''), 'ed25519'),
      parseRequest(hexToBytes('05010000000568656c6c6f'), 'ed25519'),
    ];
    for (const request of requestsWithout) expect(watermarkOf(request)).toBeUndefined();
  });
});

describe('generic operation contents', () => {
  const transaction = operations.find((v) => v.name === 'transaction')?.bytes_hex ?? '';
  const ballot = operations.find((v) => v.name === 'ballot')?.bytes_hex ?? '';

  it('refuses consensus operations inside a generic operation', () => {
    const hex = `03${'aa'.repeat(32)}15000700000001000000010000000000000000000000000000000000000000000000000000000000000000`;
    expect(refusal(hexToBytes(hex))).toMatch(/attestation is signed with magic byte 0x13, never inside a generic operation \(tag 21 at byte 33\)/);
  });

  it('refuses unknown operation tags', () => {
    expect(refusal(patched(transaction, 33, 'fe'))).toMatch(/unknown operation tag \(tag 254 at byte 33\)/);
  });

  it('refuses a batch that mixes a ballot with a manager operation', () => {
    const mixed = hexToBytes(ballot + transaction.slice(66));
    expect(refusal(mixed)).toMatch(/manager operations only, got ballot, transaction/);
  });

  it('refuses a ballot value other than yay, nay, pass', () => {
    const bytes = hexToBytes(ballot);
    bytes[bytes.length - 1] = 3;
    expect(refusal(bytes)).toMatch(/ballot at byte \d+ is 3/);
  });

  it('refuses a non-canonical zarith number', () => {
    // fee 1420 = 8c 0b; written as 8c 8b 00 it is the same number in three bytes
    const hex = transaction.replace('8c0b', '8c8b00');
    expect(refusal(hexToBytes(hex))).toMatch(/fee at byte \d+ is not canonical/);
  });

  it('reads evidence operations by their lengths', () => {
    const doubleBaking = `03${'aa'.repeat(32)}03000000020abc00000001ef`;
    expect(parseRequest(hexToBytes(doubleBaking), 'ed25519')).toMatchObject({ operationKinds: ['double_baking_evidence'] });
    expect(refusal(hexToBytes(`${doubleBaking}00`))).toMatch(/truncated|tag/);
  });

  it('refuses an operation without contents', () => {
    expect(refusal(hexToBytes(transaction.slice(0, 66)))).toMatch(/truncated: operation tag/);
  });
});
