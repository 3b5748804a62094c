import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeOperation, isTezsignerError, parseRequest } from '@tezsigner/core';
import { parseConfigFile } from '../../src/config/config-file.js';
import { parsePolicyFile as parsePolicy } from '@tezsigner/core';
import { loadVectors } from '../../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';

/**
 * The parsers a signer runs on what it is given (the request reader, the operation decoder,
 * the policy file, the configuration file), fed random and mutated input: each answers, or
 * throws a TezsignerError; never a TypeError, a RangeError or a hang. TEZSIGNER_LONG=1 runs
 * ten times as many cases.
 */
const RUNS = process.env['TEZSIGNER_LONG'] === '1' ? 20_000 : 2_000;

function onlyTyped(parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    if (!isTezsignerError(err)) throw err;
  }
}

const hexToBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const requestVectors = (): Uint8Array[] => {
  const vectors = loadVectors<{ requests?: Array<{ bytes_hex?: string }> }>('requests').requests ?? [];
  // octez's own operations of kinds no other forger makes (DAL entrapment evidence), so mutations reach their decoders too
  const octez = loadVectors<{ operations: Array<{ bytes_hex: string }> }>('octez-operations').operations.map((v) => hexToBytes(v.bytes_hex));
  return [...vectors.flatMap((v) => (v.bytes_hex === undefined ? [] : [hexToBytes(v.bytes_hex)])), ...octez, hexToBytes(tenderbakeBlock(5, 1)), hexToBytes(attestation('attestation', 5, 0, { tz4: true }))];
};

/** A valid request with bytes flipped, cut off or added. */
const mutatedRequest = (seeds: readonly Uint8Array[]) =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 16 }), fc.boolean())
    .map(([seed, flips, cut, extra, truncate]) => {
      const bytes = Uint8Array.from(seed);
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
      const kept = truncate && bytes.length > 0 ? bytes.slice(0, cut % bytes.length) : bytes;
      return Uint8Array.from([...kept, ...extra]);
    });

describe('parsers under random and mutated input', () => {
  const seeds = requestVectors();

  it('the request reader and the operation decoder throw only typed errors', () => {
    const input = fc.oneof(mutatedRequest(seeds), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(input, fc.constantFrom('ed25519', 'secp256k1', 'p256', 'bls12_381') as fc.Arbitrary<'ed25519'>, (bytes, curve) => {
        onlyTyped(() => parseRequest(bytes, curve));
        onlyTyped(() => decodeOperation(bytes));
      }),
      { numRuns: RUNS },
    );
    expect(seeds.length).toBeGreaterThan(4);
  });

  const yamlish = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc
      .array(fc.tuple(fc.constantFrom('port', 'address', 'magic-bytes', 'rules', 'allow', 'kinds', 'max-amount', 'chains', 'log-level', 'limits', 'x'), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant('[1, 2]'), fc.constant('{a: 1}'), fc.constant('- a\n  - b'))), { maxLength: 6 })
      .map((pairs) => pairs.map(([key, value]) => `${key}: ${String(value)}`).join('\n')),
  );

  it('the policy file parser throws only typed errors', () => {
    fc.assert(
      fc.property(yamlish, (text) => onlyTyped(() => parsePolicy(text, 'policy.yaml'))),
      { numRuns: RUNS },
    );
  });

  it('the configuration file parser throws only typed errors', () => {
    fc.assert(
      fc.property(yamlish, (text) => onlyTyped(() => parseConfigFile(text, 'tezsigner.yaml'))),
      { numRuns: RUNS },
    );
  });
});
