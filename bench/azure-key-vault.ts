// Signing through Azure Key Vault: the SignerService (policy, parsing, verification) over the
// AzureKeyVaultProvider and the real SDK, against the HTTPS stand-in run in a process of its own,
// so this process's CPU time is the signer's alone. Per key set (one tz2 key, one tz3 key, four
// keys of both curves), concurrency (1, 8, 64) and vault latency (0 ms, and 30 ms like a vault in
// the same region): signatures/s, p50/p99, vault requests and new TLS connections per signature
// (counted by the stand-in), and the CPU milliseconds per signature of the signer and of the
// stand-in. At 30 ms the ideal is concurrency ÷ latency; below it, the CPU columns say whose CPU
// is the limit (two cores: the signer's and the stand-in's share them). The last lines give what
// verifying one signature costs, which the signer's CPU per signature includes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  blake2b256,
  derivePublicKey,
  generateSecretKey,
  MemoryWatermarkStore,
  SignerService,
  signWithSecretKey,
  verifySignature,
  type EcdsaCurve,
  type KeyInfo,
} from '../packages/core/src/index.js';
import { AzureKeyVaultProvider } from '../packages/azure-adapter/src/index.js';
import { StaticTokenCredential } from '../packages/azure-adapter/test/support/static-credential.js';
import { figures, measure } from './measure.js';

const LATENCIES_MS = [0, 30];
const CONCURRENCIES = [1, 8, 64];
const SECONDS_PER_CASE = 2;

interface StandInStats {
  readonly requests: number;
  readonly signRequests: number;
  readonly tlsConnections: number;
  readonly cpuMs: number;
}

interface StandIn {
  readonly url: string;
  readonly certificate: string;
  readonly token: string;
  setLatency(ms: number): void;
  stats(): Promise<StandInStats>;
  stop(): void;
}

async function startStandIn(): Promise<StandIn> {
  const script = fileURLToPath(new URL('../packages/azure-adapter/test/support/key-vault-stand-in-process.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, script, '0', '2', '2'], { stdio: ['pipe', 'pipe', 'inherit'] });
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

export async function run(): Promise<void> {
  const standIn = await startStandIn();
  try {
    const provider = new AzureKeyVaultProvider({
      vaultUrl: standIn.url,
      credential: new StaticTokenCredential(standIn.token),
      clientOptions: { tlsOptions: { ca: standIn.certificate }, disableChallengeResourceVerification: true },
      logger: { info: () => undefined, warn: (line) => console.log(`  (warning: ${line})`) },
    });
    const service = new SignerService({ keys: provider, watermarks: new MemoryWatermarkStore(), policy: { allowedMagicBytes: [0x05] } });
    const all = await provider.listKeys();
    console.log(
      `SignerService over the Key Vault provider, stand-in in its own process, ${SECONDS_PER_CASE} s per case; tz2/tz3: one key, 4 keys: 2 tz2 + 2 tz3\n` +
        `${'latency'.padEnd(8)}${'keys'.padEnd(8)}${'conc'.padStart(4)} ${'sig/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'% ideal'.padStart(8)} ` +
        `${'req/sig'.padStart(8)} ${'new TLS'.padStart(8)} ${'signer CPU ms/sig'.padStart(18)} ${'stand-in CPU ms/sig'.padStart(20)}`,
    );
    let counter = 0;
    for (const latency of LATENCIES_MS) {
      standIn.setLatency(latency);
      for (const [setName, pick] of KEY_SETS) {
        const keys = all.filter(pick).map((key) => key.pkh);
        if (setName !== '4 keys') keys.splice(1);
        const signOnce = async (worker: number) => {
          counter += 1;
          const pkh = keys[(worker + counter) % keys.length] as string;
          const result = await service.sign(pkh, packedString(counter));
          if (result.outcome !== 'signed') throw new Error(`expected a signature, got ${result.outcome}`);
        };
        for (const concurrency of CONCURRENCIES) {
          // warm-up: every worker's connection exists before timing
          await Promise.all(Array.from({ length: concurrency }, (_, w) => signOnce(w)));
          const vaultBefore = await standIn.stats();
          const cpuBefore = process.cpuUsage();
          const f = figures(await measure(concurrency, SECONDS_PER_CASE, (w) => signOnce(w)));
          const cpu = process.cpuUsage(cpuBefore);
          const vaultAfter = await standIn.stats();
          const perSignature = (value: number) => (value / f.ops).toFixed(2);
          const ideal = latency === 0 ? '' : `${((100 * f.perSecond * latency) / (1000 * concurrency)).toFixed(0)}%`;
          console.log(
            `${`${latency} ms`.padEnd(8)}${setName.padEnd(8)}${String(concurrency).padStart(4)} ${f.perSecond.toFixed(0).padStart(7)} ` +
              `${f.p50.toFixed(2).padStart(8)} ${f.p99.toFixed(2).padStart(8)} ${ideal.padStart(8)} ` +
              `${perSignature(vaultAfter.requests - vaultBefore.requests).padStart(8)} ${String(vaultAfter.tlsConnections - vaultBefore.tlsConnections).padStart(8)} ` +
              `${perSignature((cpu.user + cpu.system) / 1000).padStart(18)} ${perSignature(vaultAfter.cpuMs - vaultBefore.cpuMs).padStart(20)}`,
          );
        }
      }
    }
    for (const curve of ['secp256k1', 'p256'] as const) {
      console.log(`verifying one ${curve} signature (part of the signer's CPU per signature): ${verificationMs(curve).toFixed(2)} ms`);
    }
  } finally {
    standIn.stop();
  }
}
