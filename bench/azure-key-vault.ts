// Signing through Azure Key Vault: the SignerService (policy, parsing, verification) over the
// AzureKeyVaultProvider and the real SDK, against the HTTPS stand-in run in a process of its own,
// so this process's CPU time is the signer's alone. Per key set (one tz2 key, one tz3 key, four
// keys of both curves), concurrency (1, 8, 64) and vault latency (0 ms, and 30 ms like a vault in
// the same region): signatures/s, p50/p99, vault requests and new TLS connections per signature
// (counted by the stand-in), and the CPU milliseconds per signature of the signer and of the
// stand-in. At 30 ms the ideal is concurrency ÷ latency; below it, the CPU columns say whose CPU
// is the limit (two cores: the signer's and the stand-in's share them). Signatures that failed
// closed (a machine too busy to answer within the deadline) are counted, not fatal. Then what
// verifying one signature costs (the signer's CPU per signature includes it), and the vault
// request alone through the SDK's CryptographyClient (the path before the vault channel) and
// through the vault channel, in alternating slices of one run.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CryptographyClient, KeyClient } from '../packages/azure-adapter/node_modules/@azure/keyvault-keys/dist/esm/index.js';
import {
  blake2b256,
  derivePublicKey,
  isTezsignerError,
  generateSecretKey,
  MemoryWatermarkStore,
  SignerService,
  signWithSecretKey,
  verifySignature,
  type EcdsaCurve,
  type KeyInfo,
} from '../packages/core/src/index.js';
import { AzureKeyVaultProvider } from '../packages/azure-adapter/src/index.js';
import { VaultChannel } from '../packages/azure-adapter/src/key-vault/channel.js';
import { StaticTokenCredential } from '../packages/azure-adapter/test/support/static-credential.js';
import { figures, measure, type Figures } from './measure.js';

const LATENCIES_MS = [0, 30];
const CONCURRENCIES = [1, 8, 64];
const SECONDS_PER_CASE = 2;
const WARM_UP_SECONDS = 0.5;
const PROCESS_WARM_UP_SECONDS = 3;

interface StandInStats {
  readonly requests: number;
  readonly signRequests: number;
  readonly tlsConnections: number;
  readonly cpuMs: number;
}

export interface StandIn {
  readonly url: string;
  readonly certificate: string;
  readonly token: string;
  setLatency(ms: number): void;
  stats(): Promise<StandInStats>;
  stop(): void;
}

/** The stand-in's keys; its token and its tz2 keys' curve name for a client that needs its own (the seed). */
export interface StandInKeys {
  readonly tz2: number;
  readonly tz3: number;
  readonly token?: string;
  readonly tz2Crv?: string;
}

export async function startStandIn(keys: StandInKeys = { tz2: 2, tz3: 2 }): Promise<StandIn> {
  const script = fileURLToPath(new URL('../packages/azure-adapter/test/support/key-vault-stand-in-process.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, script, '0', String(keys.tz2), String(keys.tz3), keys.token ?? '', keys.tz2Crv ?? ''], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`stand-in exited with ${code}`));
  });
  const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const address = JSON.parse(await nextLine()) as { url: string; certificate: string; token: string };
  const send = (line: string) => child.stdin.write(`${line}\n`);
  return {
    ...address,
    setLatency: (ms) => send(`latency ${ms}`),
    stats: async () => {
      const line = nextLine();
      send('stats');
      return JSON.parse(await line) as StandInStats;
    },
    // closing its stdin is how the stand-in knows to stop
    stop: () => child.stdin.end(),
  };
}

/** Packed Michelson strings (0x05): valid requests that carry no watermark, so the figures are the vault path's, not a store's. */
function packedString(counter: number): Uint8Array {
  const text = new TextEncoder().encode(`bench ${counter}`);
  return new Uint8Array([0x05, 0x01, 0, 0, 0, text.length, ...text]);
}

/** ms of CPU to verify one signature (each one new, so no cached verdict helps). */
function verificationMs(curve: EcdsaCurve): number {
  const sk = generateSecretKey(curve);
  const publicKey = derivePublicKey(sk);
  const samples = Array.from({ length: 300 }, (_, i) => {
    const bytes = packedString(i);
    return { bytes, signature: signWithSecretKey(sk, { bytes, digest: blake2b256(bytes) }) };
  });
  const [first, ...timed] = samples;
  if (first === undefined) throw new Error('no sample');
  verifySignature(curve, publicKey, first.bytes, first.signature); // the key's verifier is made once, outside the timing
  const before = process.cpuUsage();
  for (const { bytes, signature } of timed) {
    if (!verifySignature(curve, publicKey, bytes, signature)) throw new Error('a fresh signature did not verify');
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000 / timed.length;
}

const KEY_SETS: Array<[string, (key: KeyInfo) => boolean]> = [
  ['tz2', (key) => key.curve === 'secp256k1'],
  ['tz3', (key) => key.curve === 'p256'],
  ['4 keys', () => true],
];

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** Which cases a run measures: all by default (`pnpm bench`); the benchmark page takes a few. */
export interface VaultRunOptions {
  readonly latenciesMs?: readonly number[];
  readonly keySets?: readonly string[];
  readonly concurrencies?: readonly number[];
  readonly seconds?: number;
  /** verification costs and the SDK comparison after the cases (default true) */
  readonly extras?: boolean;
}

/** One case's figures, as printed. */
export interface VaultCase {
  readonly latencyMs: number;
  readonly keys: string;
  readonly concurrency: number;
  /** signatures/s (failed ones not counted), p50 and p99 of every request */
  readonly figures: Figures;
  readonly failed: number;
}

export async function run(options: VaultRunOptions = {}): Promise<VaultCase[]> {
  const { latenciesMs = LATENCIES_MS, keySets = KEY_SETS.map(([name]) => name), concurrencies = CONCURRENCIES, seconds = SECONDS_PER_CASE, extras = true } = options;
  const cases: VaultCase[] = [];
  const standIn = await startStandIn();
  try {
    const clientOptions = { tlsOptions: { ca: standIn.certificate }, disableChallengeResourceVerification: true } as const;
    const provider = new AzureKeyVaultProvider({
      vaultUrl: standIn.url,
      credential: new StaticTokenCredential(standIn.token),
      clientOptions,
      logger: { info: () => undefined, warn: () => undefined },
    });
    const service = new SignerService({ keys: provider, watermarks: new MemoryWatermarkStore(), policy: { allowedMagicBytes: [0x05] } });
    const all = await provider.listKeys();
    console.log(
      `SignerService over the Key Vault provider, stand-in in its own process, ${seconds} s per case; tz2/tz3: one key, 4 keys: 2 tz2 + 2 tz3\n` +
        `${'latency'.padEnd(8)}${'keys'.padEnd(8)}${'conc'.padStart(4)} ${'sig/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'% ideal'.padStart(8)} ` +
        `${'req/sig'.padStart(8)} ${'new TLS'.padStart(8)} ${'signer CPU ms/sig'.padStart(18)} ${'stand-in CPU ms/sig'.padStart(20)} ${'failed'.padStart(7)}`,
    );
    let counter = 0;
    // The process has just loaded the SDK and the signer: its first seconds carry the JIT and the
    // collection of start-up garbage. Signing for a while first keeps that out of the first case.
    await measure(8, PROCESS_WARM_UP_SECONDS, async (worker) => {
      counter += 1;
      const key = all[(worker + counter) % all.length] as KeyInfo;
      await service.sign(key.pkh, packedString(counter));
    });
    for (const latency of latenciesMs) {
      standIn.setLatency(latency);
      for (const [setName, pick] of KEY_SETS.filter(([name]) => keySets.includes(name))) {
        const keys = all.filter(pick).map((key) => key.pkh);
        if (setName !== '4 keys') keys.splice(1);
        let failed = 0;
        const signOnce = async (worker: number) => {
          counter += 1;
          const pkh = keys[(worker + counter) % keys.length] as string;
          try {
            const result = await service.sign(pkh, packedString(counter));
            if (result.outcome !== 'signed') throw new Error(`expected a signature, got ${result.outcome}`);
          } catch (err) {
            // on a machine too busy to answer within the deadline, failing closed is the answer: counted, not fatal
            if (!isTezsignerError(err, 'BACKEND_UNAVAILABLE')) throw err;
            failed += 1;
          }
        };
        for (const concurrency of concurrencies) {
          // warm-up: every worker's connection exists and the JIT has settled before timing
          await measure(concurrency, WARM_UP_SECONDS, (w) => signOnce(w));
          failed = 0;
          const vaultBefore = await standIn.stats();
          const cpuBefore = process.cpuUsage();
          const sample = await measure(concurrency, seconds, (w) => signOnce(w));
          const cpu = cpuMs(process.cpuUsage(cpuBefore));
          const vaultAfter = await standIn.stats();
          const f = figures(sample);
          const signed = f.ops - failed;
          const perSignature = (value: number) => (value / signed).toFixed(2);
          const rate = signed / sample.seconds;
          cases.push({ latencyMs: latency, keys: setName, concurrency, figures: { ...f, perSecond: rate }, failed });
          const ideal = latency === 0 ? '' : `${((100 * rate * latency) / (1000 * concurrency)).toFixed(0)}%`;
          console.log(
            `${`${latency} ms`.padEnd(8)}${setName.padEnd(8)}${String(concurrency).padStart(4)} ${rate.toFixed(0).padStart(7)} ` +
              `${f.p50.toFixed(2).padStart(8)} ${f.p99.toFixed(2).padStart(8)} ${ideal.padStart(8)} ` +
              `${perSignature(vaultAfter.requests - vaultBefore.requests).padStart(8)} ${String(vaultAfter.tlsConnections - vaultBefore.tlsConnections).padStart(8)} ` +
              `${perSignature(cpu).padStart(18)} ${perSignature(vaultAfter.cpuMs - vaultBefore.cpuMs).padStart(20)} ${String(failed).padStart(7)}`,
          );
        }
      }
    }
    if (!extras) return cases;
    const verifyMs = (['secp256k1', 'p256'] as const).map((curve) => `${curve} ${verificationMs(curve).toFixed(2)} ms`);
    console.log(`verifying one signature (included in the signer's CPU per signature): ${verifyMs.join(', ')}`);
    standIn.setLatency(0);
    await compareWithSdk(standIn, all);
    return cases;
  } finally {
    standIn.stop();
  }
}

/**
 * The vault request alone (no SignerService, no verification: what the Azure side costs), in
 * alternating slices so the machine's load weighs on both alike: the SDK's
 * CryptographyClient.sign (the path before the vault channel) next to the vault channel the
 * provider signs through. Concurrency 8 over the 4 keys, 0 ms latency.
 */
async function compareWithSdk(standIn: StandIn, keys: readonly KeyInfo[]): Promise<void> {
  const clientOptions = { tlsOptions: { ca: standIn.certificate }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };
  const credential = new StaticTokenCredential(standIn.token);
  const keyClient = new KeyClient(standIn.url, credential, clientOptions);
  const channel = new VaultChannel({ credential, tls: clientOptions.tlsOptions, disableChallengeResourceVerification: true });
  const vaultKeys = await Promise.all(
    keys.map(async (info, i) => {
      const key = await keyClient.getKey(info.label?.split('/')[0] ?? `key ${i}`);
      const algorithm = info.curve === 'secp256k1' ? 'ES256K' : 'ES256';
      const endpoint = channel.signEndpoint(standIn.url, key.name, key.properties.version ?? '');
      return { sdk: new CryptographyClient(key, credential, clientOptions), endpoint, algorithm };
    }),
  );
  let counter = 0;
  const next = (worker: number) => {
    counter += 1;
    return { key: vaultKeys[(worker + counter) % vaultKeys.length] as (typeof vaultKeys)[number], digest: blake2b256(packedString(counter)) };
  };
  const paths: Array<[string, (worker: number) => Promise<unknown>]> = [
    ['SDK CryptographyClient.sign', (worker) => {
      const { key, digest } = next(worker);
      return key.sdk.sign(key.algorithm, digest);
    }],
    ['vault channel', (worker) => {
      const { key, digest } = next(worker);
      return channel.sign(key.endpoint, key.algorithm, digest, new AbortController().signal);
    }],
  ];
  const totals = paths.map(() => ({ cpu: 0, ops: 0, seconds: 0 }));
  for (let slice = 0; slice < 6; slice++) {
    for (const [i, [, signOnce]] of paths.entries()) {
      await Promise.all(Array.from({ length: 8 }, (_, w) => signOnce(w)));
      const cpuBefore = process.cpuUsage();
      const sample = await measure(8, 0.5, (w) => signOnce(w));
      const total = totals[i] as { cpu: number; ops: number; seconds: number };
      total.cpu += cpuMs(process.cpuUsage(cpuBefore));
      total.ops += sample.latencies.length;
      total.seconds += sample.seconds;
    }
  }
  channel.close();
  const cpuPerSignature = totals.map((t) => t.cpu / t.ops);
  console.log('the vault request alone (no verification), 4 keys, concurrency 8, 0 ms, alternating slices:');
  paths.forEach(([name], i) => {
    const t = totals[i] as { cpu: number; ops: number; seconds: number };
    console.log(`  ${name.padEnd(28)} ${(t.ops / t.seconds).toFixed(0).padStart(5)} sig/s   ${(cpuPerSignature[i] ?? 0).toFixed(2)} ms CPU/signature`);
  });
  console.log(`  CPU per request, channel/SDK: ${((cpuPerSignature[1] ?? 0) / (cpuPerSignature[0] ?? 1)).toFixed(2)}`);
}
