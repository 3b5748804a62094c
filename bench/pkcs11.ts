// Signing on a PKCS#11 token (SoftHSM2, loaded by the provider's module host process): the
// Pkcs11KeyProvider's sign (C_SignInit + C_Sign on a session's thread of the host, low-S,
// verification) per curve at concurrency 1 and 8, next to raw signing of the same curve with an
// in-memory key (core's signWithSecretKey, no verification), in alternating slices so the
// machine's load weighs on both alike. The gap is the token's cost: SoftHSM's own signing, the
// hops to the host and its thread, and the verification every signature gets before it leaves.
import { blake2b256, generateSecretKey, signWithSecretKey } from '../packages/core/src/index.js';
import { Pkcs11KeyProvider, generateTokenKey, type TokenCurve } from '../packages/pkcs11-adapter/src/index.js';
import { createSoftHsm } from '../test-support/softhsm.js';
import { figures, measure, type Sample } from './measure.js';
import { caseLine } from './report.js';

const CURVES: readonly TokenCurve[] = ['ed25519', 'secp256k1', 'p256'];
const CONCURRENCIES = [1, 8];
const SLICES = 4;
const SLICE_SECONDS = 0.5;

function input(counter: number) {
  const bytes = new TextEncoder().encode(`\u0005bench ${counter}`);
  return { bytes, digest: blake2b256(bytes) };
}

export async function run(): Promise<void> {
  const hsm = await createSoftHsm('bench');
  process.env.SOFTHSM2_CONF = hsm.conf;
  const token = { modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin };
  const quiet = { info: () => undefined, warn: () => undefined };
  try {
    const keys = new Map<TokenCurve, string>();
    for (const curve of CURVES) keys.set(curve, (await generateTokenKey({ ...token, curve, label: curve, logger: quiet })).pkh);
    const provider = await Pkcs11KeyProvider.open({ ...token, maxSessions: 8, logger: quiet });
    console.log(`SoftHSM2 through pkcs11js (8 sessions) vs raw signing in memory, alternating ${SLICES} slices of ${SLICE_SECONDS} s per case`);
    let counter = 0;
    try {
      for (const curve of CURVES) {
        const pkh = keys.get(curve) as string;
        const secret = generateSecretKey(curve);
        const cases: Array<[string, () => unknown]> = [
          [`raw ${curve}`, () => signWithSecretKey(secret, input((counter += 1)))],
          [`pkcs11 ${curve}`, () => provider.sign(pkh, input((counter += 1)))],
        ];
        for (const concurrency of CONCURRENCIES) {
          const samples = cases.map((): Sample[] => []);
          for (const [, operation] of cases) await measure(concurrency, 0.3, operation);
          for (let slice = 0; slice < SLICES; slice++) {
            for (const [i, [, operation]] of cases.entries()) samples[i]?.push(await measure(concurrency, SLICE_SECONDS, operation));
          }
          const [raw, token] = samples.map((s) => figures(s));
          if (raw === undefined || token === undefined) throw new Error('no figures');
          console.log(caseLine(`raw ${curve}, c=${concurrency}`, raw, { unit: 'sig/s', decimals: 3 }));
          console.log(caseLine(`pkcs11 ${curve}, c=${concurrency}`, token, { unit: 'sig/s', decimals: 3 }) + `   ${(token.perSecond / raw.perSecond).toFixed(2)}× raw`);
        }
      }
      const { hungCalls, sessionsDropped, resets } = provider.stats();
      console.log(`token faults during the run: ${hungCalls} hung calls, ${sessionsDropped} sessions dropped, ${resets} resets`);
    } finally {
      await provider.close();
    }
  } finally {
    await hsm.remove();
  }
}
