// Costs of the crypto on the signing path (sign, then verify before answering) per curve, and of
// the encodings and key decryption around it, so a slow step shows up next to the others.
import {
  blake2b256,
  cryptoImplementations,
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
import { p256 } from '../packages/core/node_modules/@noble/curves/esm/nist.js';
import { p256WithTables } from '../packages/core/src/crypto/p256.js';
import { keyVectors, loadVectors } from '../test-support/vectors.js';
import { figures, measure, type Figures } from './measure.js';
import { caseLine } from './report.js';

const SECONDS_PER_CASE = 1.5;
const MAX_OPS = 20_000;

/** Times `operation` alone, after one untimed call (noble builds its precomputed tables on first use). */
async function measureOne(operation: () => unknown): Promise<Figures> {
  await operation();
  return figures(await measure(1, SECONDS_PER_CASE, operation, MAX_OPS));
}

const line = (name: string, f: Figures) => caseLine(name, f, { decimals: 3 });
const DISTINCT_MESSAGES = 40;

/** P-256 verification of a served key (on this process's implementation; noble's table kept as the fallback) next to noble's verify, which decodes and multiplies the key afresh each time. */
async function p256ServedVsFresh(input: { bytes: Uint8Array; digest: Uint8Array }): Promise<void> {
  const vector = keyVectors().find((k) => k.curve === 'p256');
  if (vector === undefined) throw new Error('no p256 key vector');
  const sk = decodeSecretKey(vector.secret_key);
  const pk = derivePublicKey(sk);
  const signature = signWithSecretKey(sk, input);
  // the signature of other bytes: refused after the whole computation, and never remembered as recently valid
  const other = Uint8Array.of(...input.bytes, 0);
  const otherDigest = blake2b256(other);
  const withTable = p256WithTables.verifier(pk);
  const served = await measureOne(() => verifySignature('p256', pk, other, signature));
  const tables = await measureOne(() => withTable(otherDigest, signature));
  const fresh = await measureOne(() => p256.verify(signature, otherDigest, pk, { lowS: true, prehash: false, format: 'compact' }));
  const implementation = cryptoImplementations().implementations.find((i) => i.curve === 'p256')?.implementation ?? '?';
  console.log(line(`verify p256, a served key (${implementation})`, served));
  console.log(line('verify p256, a served key on noble with its table (the fallback)', tables));
  console.log(line('verify p256, noble alone (a fresh key)', fresh));
  console.log(`a served P-256 key verifies ${(served.perSecond / tables.perSecond).toFixed(1)}× as fast as on noble's table, ${(served.perSecond / fresh.perSecond).toFixed(1)}× as fast as a fresh one`);
}

/** A tz4 signature under each scheme a client's ?version= may ask: 2 and 3 (proof of possession, blst) and 1 (augmented, noble only). */
async function blsSchemes(input: { bytes: Uint8Array; digest: Uint8Array }): Promise<void> {
  const vector = keyVectors().find((k) => k.curve === 'bls12_381');
  if (vector === undefined) throw new Error('no bls12_381 key vector');
  const sk = decodeSecretKey(vector.secret_key);
  const pop = await measureOne(() => signWithSecretKey(sk, { ...input, blsScheme: 'pop' }));
  const aug = await measureOne(() => signWithSecretKey(sk, { ...input, blsScheme: 'aug' }));
  console.log(line('sign bls12_381, version 2/3 (proof of possession)', pop));
  console.log(line('sign bls12_381, version 1 (augmented, noble)', aug));
  console.log(`a version-1 tz4 signature costs ${(pop.perSecond / aug.perSecond).toFixed(0)}× a version-2/3 one`);
}

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
    const sign = await measureOne(() => signWithSecretKey(sk, input));
    // distinct messages, more than a key remembers as recently verified: each verify is a real one
    const signed = Array.from({ length: DISTINCT_MESSAGES }, (_, i) => {
      const message = Uint8Array.from(bytes);
      message[message.length - 1] = i;
      return { message, signature: signWithSecretKey(sk, { bytes: message, digest: blake2b256(message) }) };
    });
    let next = 0;
    const verify = await measureOne(() => {
      const { message, signature } = signed[next++ % signed.length] as (typeof signed)[number];
      return verifySignature(curve, pk, message, signature);
    });
    console.log(line(`sign ${curve}`, sign));
    console.log(line(`verify ${curve}`, verify));
    console.log(line(`decode public key ${curve}`, await measureOne(() => decodePublicKey(vector.public_key))));
    signVsVerify.push(`${curve} ${(sign.perSecond / verify.perSecond).toFixed(2)}×`);
  }
  console.log(`verify costs (sign ops/s ÷ verify ops/s): ${signVsVerify.join(', ')}`);
  await p256ServedVsFresh(input);
  await blsSchemes(input);

  const highS = loadVectors<{ low_s: { high_s_raw_hex: string }[] }>('signatures').low_s[0]?.high_s_raw_hex ?? '';
  console.log(line('normalize high-S secp256k1', await measureOne(() => normalizeEcdsaSignature('secp256k1', hexToBytes(highS)))));
  console.log(line('BLAKE2b-256 of a block', await measureOne(() => blake2b256(bytes))));

  const encrypted = encryptSecretKey(decodeSecretKey(keyVectors()[0]?.secret_key ?? ''), 'bench');
  const sync = await measureOne(() => decryptSecretKey(encrypted, 'bench'));
  const native = await measureOne(() => decryptSecretKeyAsync(encrypted, 'bench'));
  console.log(line('decrypt edesk (noble PBKDF2, sync)', sync));
  console.log(line('decrypt edesk (WebCrypto PBKDF2, async)', native));
  console.log(`async decrypt is ${(native.perSecond / sync.perSecond).toFixed(1)}× the sync one`);
}
