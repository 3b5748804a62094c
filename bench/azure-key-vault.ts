// Signing through Azure Key Vault (the real SDK against the HTTPS stand-in, run in its own
// process with 30 ms of latency per request, like a vault in the same region): signatures/s
// at concurrency 1, 8 and 64 over 4 keys, next to the ideal (concurrency ÷ latency). Near the
// ideal means requests to different keys (and to one key) are not serialized; below it at
// high concurrency the limit is CPU, shown as this process's CPU time per signature (TLS, the
// SDK's pipeline, verifying each signature before it is returned) and the rate one core allows.
// Each concurrency is measured on the provider alone and through the SignerService (policy,
// parsing, the service's own verification) in one run, so the ratio is the service's cost.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { blake2b256, MemoryWatermarkStore, SignerService } from '../packages/core/src/index.js';
import { AzureKeyVaultProvider } from '../packages/azure-adapter/src/index.js';
import { StaticTokenCredential } from '../packages/azure-adapter/test/support/static-credential.js';
import { figures, measure } from './measure.js';
import { formatFigures } from './report.js';

const LATENCY_MS = 30;
const SECONDS_PER_CASE = 3;
const CONCURRENCIES = [1, 8, 64];

interface StandInAddress {
  readonly url: string;
  readonly certificate: string;
  readonly token: string;
}

async function startStandIn(): Promise<{ address: StandInAddress; stop: () => void }> {
  const script = fileURLToPath(new URL('../packages/azure-adapter/test/support/key-vault-stand-in-process.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, script, String(LATENCY_MS), '2', '2'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
  lines.close();
  // closing its stdin is how the stand-in knows to stop
  return { address: JSON.parse(first) as StandInAddress, stop: () => child.stdin.end() };
}

export async function run(): Promise<void> {
  const { address, stop } = await startStandIn();
  try {
    const provider = new AzureKeyVaultProvider({
      vaultUrl: address.url,
      credential: new StaticTokenCredential(address.token),
      clientOptions: { tlsOptions: { ca: address.certificate }, disableChallengeResourceVerification: true },
      logger: { info: () => undefined, warn: (line) => console.log(`  (warning: ${line})`) },
    });
    const keys = await provider.listKeys();
    console.log(`stand-in latency ${LATENCY_MS} ms per request, ${keys.length} keys (${keys.map((k) => k.pkh.slice(0, 3)).join(', ')}), ${SECONDS_PER_CASE} s per case`);
    // packed Michelson strings (0x05): valid requests that carry no watermark, so the figures
    // are the vault's and the service's, not a store's
    const service = new SignerService({ keys: provider, watermarks: new MemoryWatermarkStore(), policy: { allowedMagicBytes: [0x05] } });
    let counter = 0;
    const nextRequest = (worker: number): { pkh: string; bytes: Uint8Array } => {
      counter += 1;
      const key = keys[(worker + counter) % keys.length];
      if (key === undefined) throw new Error('no key');
      const text = new TextEncoder().encode(`bench ${counter}`);
      const bytes = new Uint8Array([0x05, 0x01, 0, 0, 0, text.length, ...text]);
      return { pkh: key.pkh, bytes };
    };
    const paths: Array<[string, (worker: number) => Promise<unknown>]> = [
      ['provider', (w) => {
        const { pkh, bytes } = nextRequest(w);
        return provider.sign(pkh, { bytes, digest: blake2b256(bytes) });
      }],
      ['service ', (w) => {
        const { pkh, bytes } = nextRequest(w);
        return service.sign(pkh, bytes);
      }],
    ];
    for (const concurrency of CONCURRENCIES) {
      const rates: number[] = [];
      for (const [name, signOnce] of paths) {
        // warm-up: every worker's connection and TLS session exist before timing
        await Promise.all(Array.from({ length: concurrency }, (_, w) => signOnce(w)));
        const cpuBefore = process.cpuUsage();
        const sample = await measure(concurrency, SECONDS_PER_CASE, async (w) => void (await signOnce(w)));
        const cpu = process.cpuUsage(cpuBefore);
        const f = figures(sample);
        rates.push(f.perSecond);
        const cpuMsPerSignature = (cpu.user + cpu.system) / 1000 / f.ops;
        const ideal = (concurrency * 1000) / LATENCY_MS;
        console.log(
          `concurrency ${String(concurrency).padStart(3)} ${name}: ${formatFigures(f, { unit: 'signatures/s', decimals: 1 })}   ` +
            `ideal ${ideal.toFixed(0).padStart(5)}   ${((100 * f.perSecond) / ideal).toFixed(0).padStart(3)}% of ideal   ` +
            `client CPU ${cpuMsPerSignature.toFixed(2)} ms/signature (one core: ${(1000 / cpuMsPerSignature).toFixed(0)}/s)   (${f.ops} signatures)`,
        );
      }
      console.log(`concurrency ${String(concurrency).padStart(3)} service/provider: ${((rates[1] ?? 0) / (rates[0] ?? 1)).toFixed(2)}`);
    }
  } finally {
    stop();
  }
}
