// Costs of the crypto on the signing path (sign, then verify before answering) per curve, and of
// the encodings and key decryption around it, so a slow step shows up next to the others.
import {
  blake2b256,
  decodePublicKey,
  decodeSecretKey,
  decryptSecretKey,
  decryptSecretKeyAsync,
  derivePublicKey,
  encryptSecretKey,
  hexToBytes,
  normalizeEcdsaSignature,
  signWithSecretKey,
  verifySignature,
  type Curve,
} from '../packages/core/src/index.js';
import { keyVectors, loadVectors } from '../test-support/vectors.js';

const SECONDS_PER_CASE = 1.5;
const MAX_OPS = 20_000;

interface Figures {
  readonly ops: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function measure(operation: () => unknown): Promise<Figures> {
  await operation(); // warm-up: noble builds its precomputed tables on first use
  const latencies: number[] = [];
  const until = performance.now() + SECONDS_PER_CASE * 1000;
  const started = performance.now();
  while (performance.now() < until && latencies.length < MAX_OPS) {
    const t0 = performance.now();
    await operation();
    latencies.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const line = (name: string, f: Figures) =>
  `${name.padEnd(40)} ${f.perSecond.toFixed(0).padStart(8)} ops/s   p50 ${f.p50.toFixed(3).padStart(8)} ms   p99 ${f.p99.toFixed(3).padStart(8)} ms   (${f.ops} ops)`;

export async function run(): Promise<void> {
  const { signatures } = loadVectors<{ signatures: { bytes_hex: string }[] }>('signatures');
  const bytes = hexToBytes(signatures[0]?.bytes_hex ?? '');
  const input = { bytes, digest: blake2b256(bytes) };
  const curves: Curve[] = ['ed25519', 'secp256k1', 'p256', 'bls12_381'];
  const signVsVerify: string[] = [];
  for (const curve of curves) {
    const vector = keyVectors().find((k) => k.curve === curve);
    if (vector === undefined) throw new Error(`no ${curve} key vector`);
    const sk = decodeSecretKey(vector.secret_key);
    const pk = derivePublicKey(sk);
    const signature = signWithSecretKey(sk, input);
    const sign = await measure(() => signWithSecretKey(sk, input));
    const verify = await measure(() => verifySignature(curve, pk, bytes, signature));
    console.log(line(`sign ${curve}`, sign));
    console.log(line(`verify ${curve}`, verify));
    console.log(line(`decode public key ${curve}`, await measure(() => decodePublicKey(vector.public_key))));
    signVsVerify.push(`${curve} ${(sign.perSecond / verify.perSecond).toFixed(2)}×`);
  }
  console.log(`verify costs (sign ops/s ÷ verify ops/s): ${signVsVerify.join(', ')}`);

  const highS = loadVectors<{ low_s: { high_s_raw_hex: string }[] }>('signatures').low_s[0]?.high_s_raw_hex ?? '';
  console.log(line('normalize high-S secp256k1', await measure(() => normalizeEcdsaSignature('secp256k1', hexToBytes(highS)))));
  console.log(line('BLAKE2b-256 of a block', await measure(() => blake2b256(bytes))));

  const encrypted = encryptSecretKey(decodeSecretKey(keyVectors()[0]?.secret_key ?? ''), 'bench');
  const sync = await measure(() => decryptSecretKey(encrypted, 'bench'));
  const native = await measure(() => decryptSecretKeyAsync(encrypted, 'bench'));
  console.log(line('decrypt edesk (noble PBKDF2, sync)', sync));
  console.log(line('decrypt edesk (WebCrypto PBKDF2, async)', native));
  console.log(`async decrypt is ${(native.perSecond / sync.perSecond).toFixed(1)}× the sync one`);
}
