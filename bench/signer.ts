// What the SignerService pipeline costs on top of the signature itself: per curve, signatures/s of
// the whole service (parse, magic-byte policy, watermark check-and-advance and record in a
// MemoryWatermarkStore, sign with a MemoryKeyProvider, normalize, verify, encode), every request a
// block one level higher so each one really signs, next to raw noble signing of the same requests
// with the same key. The ratio is the share of the raw rate the service keeps; the gap is mostly
// the verification every signature gets before it leaves (native for Ed25519, noble for the rest).
// noble is a dependency of core only; these are the very module files core loads, so the raw
// figures are the same code, minus the service around it.
import { bls12_381 } from '../packages/core/node_modules/@noble/curves/esm/bls12-381.js';
import { ed25519 } from '../packages/core/node_modules/@noble/curves/esm/ed25519.js';
import { p256 } from '../packages/core/node_modules/@noble/curves/esm/nist.js';
import { secp256k1 } from '../packages/core/node_modules/@noble/curves/esm/secp256k1.js';
import {
  blake2b256,
  CURVES,
  generateSecretKey,
  hexToBytes,
  MemoryKeyProvider,
  MemoryWatermarkStore,
  SignerService,
  type SecretKey,
} from '../packages/core/src/index.js';
import { loadVectors } from '../test-support/vectors.js';
import { figures, type Figures } from './measure.js';
import { formatFigures } from './report.js';

const SECONDS_PER_CASE = 2.5;
const SLICE_MS = 250;
const MAX_OPS = 20_000;
const BLS_SIGNATURE_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
// byte offsets in the block vector: level in the header, level in the fitness
const LEVEL_AT = 5;
const FITNESS_LEVEL_AT = 96;

/** Fresh block bytes, each one level higher than the last. */
function blocks(template: Uint8Array): () => Uint8Array {
  let level = 1;
  return () => {
    const bytes = template.slice();
    const view = new DataView(bytes.buffer);
    view.setInt32(LEVEL_AT, level);
    view.setInt32(FITNESS_LEVEL_AT, level);
    level += 1;
    return bytes;
  };
}

/**
 * Times two operations in alternating slices, so a change in machine load during the run
 * weighs on both alike and their ratio stays meaningful.
 */
async function measurePair(template: Uint8Array, a: (bytes: Uint8Array) => unknown, b: (bytes: Uint8Array) => unknown): Promise<[Figures, Figures]> {
  const cases = [a, b].map((operation) => ({ operation, next: blocks(template), latencies: [] as number[], seconds: 0 }));
  for (const c of cases) await c.operation(c.next()); // warm-up: noble builds its precomputed tables on first use
  while (cases.some((c) => c.seconds < SECONDS_PER_CASE && c.latencies.length < MAX_OPS)) {
    for (const c of cases) {
      const started = performance.now();
      const until = started + SLICE_MS;
      while (performance.now() < until && c.latencies.length < MAX_OPS) {
        const bytes = c.next();
        const t0 = performance.now();
        await c.operation(bytes);
        c.latencies.push(performance.now() - t0);
      }
      c.seconds += (performance.now() - started) / 1000;
    }
  }
  const [first, second] = cases.map((c) => figures(c));
  return [first as Figures, second as Figures];
}

/** The signing any signer must do: BLAKE2b-256 then the curve's signature; BLS on the raw bytes. */
function rawSigner(sk: SecretKey): (bytes: Uint8Array) => Uint8Array {
  switch (sk.curve) {
    case 'ed25519':
      return (bytes) => ed25519.sign(blake2b256(bytes), sk.bytes);
    case 'secp256k1':
      return (bytes) => secp256k1.sign(blake2b256(bytes), sk.bytes, { lowS: true, prehash: false }).toBytes('compact');
    case 'p256':
      return (bytes) => p256.sign(blake2b256(bytes), sk.bytes, { lowS: true, prehash: false }).toBytes('compact');
    case 'bls12_381': {
      // Tezos stores the BLS scalar little-endian
      const scalar = BigInt(`0x${Buffer.from(sk.bytes).reverse().toString('hex')}`);
      const { longSignatures } = bls12_381;
      return (bytes) => longSignatures.Signature.toBytes(longSignatures.sign(longSignatures.hash(bytes, BLS_SIGNATURE_DST), scalar));
    }
  }
}

const cell = (f: Figures) => formatFigures(f, { unit: 'sig/s', decimals: 3 });

export async function run(): Promise<void> {
  const { requests } = loadVectors<{ requests: { name: string; bytes_hex: string }[] }>('requests');
  const template = hexToBytes(requests.find((r) => r.name === 'block level 5000000 round 0')?.bytes_hex ?? '');
  console.log(`blocks of ${template.length} bytes, each one level higher; ${SECONDS_PER_CASE} s per case, in alternating ${SLICE_MS} ms slices`);
  console.log(`${'curve'.padEnd(10)} ${'SignerService'.padEnd(52)} ${'raw noble'.padEnd(52)} service/raw`);
  for (const curve of CURVES) {
    const sk = generateSecretKey(curve);
    const keys = new MemoryKeyProvider([sk]);
    const signer = new SignerService({ keys, watermarks: new MemoryWatermarkStore() });
    const [key] = await keys.listKeys();
    if (key === undefined) throw new Error('no key');
    const [service, raw] = await measurePair(
      template,
      async (bytes) => {
        const result = await signer.sign(key.pkh, bytes);
        if (result.outcome !== 'signed') throw new Error(`expected a signature, got ${result.outcome}`);
      },
      rawSigner(sk),
    );
    console.log(`${curve.padEnd(10)} ${cell(service)}   ${cell(raw)}   ${(service.perSecond / raw.perSecond).toFixed(2)}`);
  }
}
