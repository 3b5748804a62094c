import { b58Encode, PrefixV2 } from '@taquito/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../../../test-support/vectors.js';
import { CURVES, type Curve } from '../curve.js';
import { isTezsignerError } from '../errors.js';
import { hexToBytes } from '../encoding/hex.js';
import { parseRequest, watermarkOf } from './parse.js';

const seeds = [
  ...loadVectors<{ requests: { bytes_hex: string; signer?: string }[] }>('requests').requests.map((r) => ({
    bytes: hexToBytes(r.bytes_hex),
    signer: (r.signer === 'tz4' ? 'bls12_381' : 'ed25519') as Curve,
  })),
  ...loadVectors<{ operations: { bytes_hex: string }[] }>('operations').operations.map((o) => ({ bytes: hexToBytes(o.bytes_hex), signer: 'ed25519' as Curve })),
];
const MAGIC = [0x01, 0x02, 0x03, 0x04, 0x05, 0x11, 0x12, 0x13];
const curveArb = fc.constantFrom<Curve>(...CURVES);

/** Parses; the only failure allowed is BAD_REQUEST, and a success must be coherent. */
function parsesOrRefuses(bytes: Uint8Array, signer: Curve): void {
  let request;
  try {
    request = parseRequest(bytes, signer);
  } catch (err) {
    if (!isTezsignerError(err, 'BAD_REQUEST')) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    return;
  }
  expect(request.magic).toBe(bytes[0]);
  const watermark = watermarkOf(request);
  if (watermark !== undefined) {
    expect(Number.isInteger(watermark.level) && watermark.level >= 0).toBe(true);
    expect(Number.isInteger(watermark.round) && watermark.round >= 0).toBe(true);
    expect(watermark.chainId).toMatch(/^Net/);
  }
}

/** A seed changed the way real corruption looks: bits flipped, cut short, extended, spliced. */
const mutatedArb = fc.constantFrom(...seeds).chain(({ bytes, signer }) =>
  fc.oneof(
    fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(7)), { minLength: 1, maxLength: 4 }).map((flips) => {
      const out = bytes.slice();
      for (const [at, bit] of flips) out[at] = (out[at] as number) ^ (1 << bit);
      return { bytes: out, signer };
    }),
    fc.nat(bytes.length).map((length) => ({ bytes: bytes.slice(0, length), signer })),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((tail) => ({ bytes: Uint8Array.from([...bytes, ...tail]), signer })),
    fc.tuple(fc.nat(bytes.length), fc.nat(8), fc.uint8Array({ maxLength: 8 })).map(([at, cut, insert]) => ({
      bytes: Uint8Array.from([...bytes.subarray(0, at), ...insert, ...bytes.subarray(at + cut)]),
      signer,
    })),
  ),
);

describe('parseRequest never throws anything but BAD_REQUEST', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), curveArb, (bytes, signer) => parsesOrRefuses(bytes, signer)), { numRuns: 2000 });
  });

  it('on random bytes behind a known magic byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MAGIC), fc.uint8Array({ maxLength: 300 }), curveArb, (magic, body, signer) =>
        parsesOrRefuses(Uint8Array.from([magic, ...body]), signer),
      ),
      { numRuns: 4000 },
    );
  });

  it('on bit-flipped, truncated, extended and spliced vectors, signed by any curve', () => {
    fc.assert(
      fc.property(mutatedArb, curveArb, ({ bytes, signer }, other) => {
        parsesOrRefuses(bytes, signer);
        parsesOrRefuses(bytes, other);
      }),
      { numRuns: 4000 },
    );
  });

  it('on inputs that are not bytes', () => {
    for (const value of [undefined, null, 'aabb', [0x11], { length: 3 }]) {
      expect(() => parseRequest(value as unknown as Uint8Array, 'ed25519')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    }
    expect(() => parseRequest(Uint8Array.of(0x05, 0x00, 0x00), 'tz1' as Curve)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

const BLOCK = seeds.find(({ bytes }) => bytes[0] === 0x11) as (typeof seeds)[number];

describe('the chain id of a request', () => {
  it('is named as Taquito names it, over more chains than are kept and back again', () => {
    const chainHex = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => Buffer.from(bytes).toString('hex'));
    fc.assert(
      fc.property(fc.array(chainHex, { minLength: 1, maxLength: 40 }), (chains) => {
        for (const chain of [...chains, ...chains]) {
          // a block of the vectors with the chain id, which follows the magic byte, replaced
          const block = Uint8Array.from(BLOCK.bytes);
          block.set(hexToBytes(chain), 1);
          const request = parseRequest(block, BLOCK.signer);
          expect(watermarkOf(request)?.chainId).toBe(b58Encode(chain, PrefixV2.ChainID));
        }
      }),
      { numRuns: 100 },
    );
  });
});
