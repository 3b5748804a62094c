// The PKCS#11 provider when the HSM misbehaves (SoftHSM2 behind test-support's fault module,
// the module in the provider's host process as in production):
// - recovery: from the HSM answering again to the next signature, with the calls that hung
//   still out: one key hung (a trial every 250 ms), and every call hung (the module silent,
//   probed every 250 ms); a client retrying every 5 ms;
// - the healthy keys' signatures/s (3 keys, 8 clients) alone, while 8 clients flood an
//   ambiguous key (two private keys on one CKA_ID: 404s that never reach the module), and while
//   8 clients hammer a key that hangs forever, in alternating slices; the module restarts each
//   case caused are counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { blake2b256, derivePublicKey, generateSecretKey, publicKeyHash } from '../packages/core/src/index.js';
import { Pkcs11KeyProvider, generateTokenKey, type Pkcs11ProviderOptions } from '../packages/pkcs11-adapter/src/index.js';
import { faultyModule } from '../test-support/faulty-pkcs11.js';
import { addEcKeys } from '../test-support/softhsm-objects.js';
import { createSoftHsm } from '../test-support/softhsm.js';
import { figures, measure, percentile, type Sample } from './measure.js';
import { caseLine } from './report.js';

const ROUNDS = 7;
const SLICES = 4;
const SLICE_SECONDS = 1;
const CLIENTS = 8;

let counter = 0;
const input = () => {
  const bytes = new TextEncoder().encode(`\u0003bench ${(counter += 1)}`);
  return { bytes, digest: blake2b256(bytes) };
};

export async function run(): Promise<void> {
  const hsm = await createSoftHsm('bench-faults');
  const faulty = await faultyModule(hsm.modulePath);
  const env = { ...process.env, SOFTHSM2_CONF: hsm.conf, ...faulty.env };
  const quiet = { info: () => undefined, warn: () => undefined };
  const token = { modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, env, logger: quiet };
  const open = (extra: Partial<Pkcs11ProviderOptions>) => Pkcs11KeyProvider.open({ ...token, modulePath: faulty.modulePath, ...extra });
  try {
    const healthy: string[] = [];
    for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) healthy.push((await generateTokenKey({ ...token, curve, label: `healthy-${curve}` })).pkh);
    const victim = (await generateTokenKey({ ...token, curve: 'p256', label: 'victim' })).pkh;
    const [dupA, dupB] = [generateSecretKey('p256'), generateSecretKey('p256')];
    addEcKeys(hsm, [
      { curve: 'p256', secret: dupA.bytes, point: derivePublicKey(dupA), id: Uint8Array.from([0xaa]), label: 'dup-a' },
      { curve: 'p256', secret: dupB.bytes, point: derivePublicKey(dupB), id: Uint8Array.from([0xaa]), label: 'dup-b' },
    ]);
    const ambiguous = publicKeyHash('p256', derivePublicKey(dupA));

    console.log(`recovery: from the HSM answering again to the next signature, the calls that hung still out (${ROUNDS} rounds, deadline 1 s, a retry every 5 ms)`);
    // no restart during the rounds: the calls that hang stay out, as the measure requires
    const recovering = await open({ deadlineMs: 1000, maxSessions: 64, restartAfterMs: 600_000 });
    try {
      for (const [name, rule, key] of [
        ['one key hung', `C_Sign hang 120000 label=victim`, victim],
        ['every call hung', '* hang 120000', healthy[0] as string],
      ] as const) {
        const times: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          await faulty.setFaults([rule]);
          await recovering.sign(key, input()).catch(() => undefined);
          // the module's state settles (a key suspect, or the module silent) before it answers again
          await sleep(300);
          await faulty.setFaults([]);
          const answering = performance.now();
          for (;;) {
            try {
              await recovering.sign(key, input());
              break;
            } catch {
              await sleep(5);
            }
          }
          times.push(performance.now() - answering);
        }
        times.sort((a, b) => a - b);
        console.log(`  ${name.padEnd(16)} p50 ${percentile(times, 50).toFixed(0).padStart(4)} ms   max ${(times.at(-1) ?? Number.NaN).toFixed(0).padStart(4)} ms   calls still out: ${recovering.callsOut()}`);
      }
    } finally {
      await recovering.close();
    }

    console.log(`healthy keys' signatures/s (${healthy.length} keys, ${CLIENTS} clients), default settings, alternating ${SLICES} slices of ${SLICE_SECONDS} s per case`);
    const provider = await open({});
    try {
      const signHealthy = (worker: number) => provider.sign(healthy[worker % healthy.length] as string, input());
      const background = async (until: () => boolean, request: () => Promise<unknown>) => {
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            while (!until()) {
              await request().catch(() => undefined);
              // a refusal needs no I/O: without a turn of the event loop the flood would starve the rest
              await new Promise((resolve) => setImmediate(resolve));
            }
          }),
        );
      };
      const cases: Array<[string, string[], (() => Promise<unknown>) | undefined]> = [
        ['alone', [], undefined],
        ['ambiguous key flooded', [], () => provider.sign(ambiguous, input())],
        ['one key hung, hammered', ['C_Sign hang forever label=victim'], () => provider.sign(victim, input())],
      ];
      const samples = cases.map((): Sample[] => []);
      const restarts = cases.map(() => 0);
      // every session opened before the first slice
      await measure(CLIENTS, 1, signHealthy);
      for (let slice = 0; slice < SLICES; slice++) {
        // each case first in turn, so that none always follows the hung one
        for (let k = 0; k < cases.length; k++) {
          const i = (slice + k) % cases.length;
          const [, rules, load] = cases[i] as (typeof cases)[number];
          await faulty.setFaults(rules);
          const before = provider.stats();
          let done = false;
          const loading = load === undefined ? Promise.resolve() : background(() => done, load);
          samples[i]?.push(await measure(CLIENTS, SLICE_SECONDS, signHealthy));
          done = true;
          await loading;
          const after = provider.stats();
          restarts[i] = (restarts[i] ?? 0) + after.restarts + after.resets - before.restarts - before.resets;
        }
      }
      const base = figures(samples[0] ?? []);
      for (const [i, [name]] of cases.entries()) {
        const f = figures(samples[i] ?? []);
        console.log(`${caseLine(`  ${name}`, f, { unit: 'sig/s', decimals: 3 })}   ${(f.perSecond / base.perSecond).toFixed(2)}× alone   module restarts: ${restarts[i]}`);
      }
      const { hungCalls, sessionsDropped, resets, restarts: total } = provider.stats();
      console.log(`  token faults during the run: ${hungCalls} hung calls, ${sessionsDropped} sessions dropped, ${resets} resets, ${total} restarts`);
    } finally {
      await provider.close();
    }
  } finally {
    await faulty.remove();
    await hsm.remove();
  }
}
