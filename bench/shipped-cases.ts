// The page's main cases: the command install.sh installs, run as `tezsigner serve` with its
// defaults in a process of its own (the local encrypted vault, the file watermark store, the
// audit log, the request log, the metrics listener), a bare server in a process of its own doing
// the same work (bare-server-process.ts), and the load from a third process, in alternating
// slices; the raw floor (the bare server's work without HTTP) runs in the bare server's process
// between them. One serve and one bare server serve every case, as they would run for weeks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Curve } from '../packages/core/src/index.js';
import { makeBenchHome } from './bench-home.js';
import { requestOf } from './floor.js';
import type { FloorOrder } from './bare-server-process.js';
import { bareKeys, startBareServer } from './bare-server-child.js';
import type { LineChild } from './line-child.js';
import type { LoadThread } from './load.js';
import { figures, type Sample } from './measure.js';
import type { BurstSample } from './post-load.js';
import type { LocalCase } from './page-figures.js';
import { CpuTally } from './process-cpu.js';
import { caseLine } from './report.js';
import { startServedCommand, type ServedCommand } from './served-command.js';

export interface ShippedOptions {
  readonly curves: ReadonlyArray<readonly [prefix: string, curve: Curve]>;
  readonly concurrencies: readonly number[];
  readonly slices: number;
  /** at 1 in flight: its p99 is a target, so more slices */
  readonly slicesAtOne: number;
  readonly secondsPerSlice: number;
  readonly warmUpSeconds: number;
  /**
   * Before a curve's first case, each server signs with it for this long, a second at a time in
   * turns: both answer more slowly over their first few thousand requests (an idle wait as long
   * does not help, so it is the processes warming up under load), and the cases measure a signer
   * in its steady state, as it runs for weeks. The bakery's rows measure the first seconds after
   * a start.
   */
  readonly steadyStateSeconds: number;
}

export interface ShippedRun {
  readonly cases: LocalCase[];
  /** ms from serve's spawn to its first ready /readyz, and how many keys it had */
  readonly readyMs: number;
  readonly keys: number;
}

const µs = (value: number) => value.toFixed(0);
const cpuLine = ({ signer, bare }: NonNullable<LocalCase['cpu']>) =>
  `signer ${µs(signer.userUs)} µs user + ${µs(signer.systemUs)} µs system, bare server ${µs(bare.userUs)} + ${µs(bare.systemUs)} µs`;

/** A clean environment for the command: nothing of this machine's TEZSIGNER_* settings. */
export const commandEnv = (userHome: string): Record<string, string> => ({ PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: userHome });

/** `command` (the installed `tezsigner`) against the bare server, the load from `load`, a process of its own. */
export async function shippedCases(command: string, load: LoadThread, options: ShippedOptions): Promise<ShippedRun> {
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-shipped-'));
  const most = Math.max(...options.concurrencies);
  let serve: ServedCommand | undefined;
  let bare: LineChild | undefined;
  try {
    const home = await makeBenchHome(join(base, 'user'), Object.fromEntries(options.curves.map(([, curve]) => [curve, most])));
    serve = await startServedCommand({ command: [command], env: commandEnv(home.userHome) });
    // the cases measure a signer in its steady state: its keys decrypted (bakery.ts times that);
    // serve says so once it has opened keys in the background, which a single key never is
    const keys = options.curves.length * most;
    const allOpenMs = keys > 1 ? await serve.whenPrinted(/all \d+ keys decrypted/, 300_000) : serve.readyMs;
    console.log(
      `tezsigner serve: listening after ${serve.listeningMs.toFixed(0)} ms, ready after ${serve.readyMs.toFixed(0)} ms, all ${keys} encrypted keys open after ${allOpenMs.toFixed(0)} ms`,
    );
    const signerUrl = serve.url;
    const started = await startBareServer(join(base, 'bare'), options.curves.map(([, c]) => c), most);
    bare = started.process;
    const bareUrl = started.url;
    let levelBase = 0;
    const cases: LocalCase[] = [];
    for (const [prefix, curve] of options.curves) {
      const request = requestOf(curve);
      const overHttp = (url: string, pkhs: readonly string[], seconds: number) => load.load({ url, pkhs, seconds, levelBase: (levelBase += 1_000_000), request });
      // each server's first `count` keys of this curve
      const signerKeysOf = (count: number) => (home.pkhs[curve] ?? []).slice(0, count);
      for (let second = 0; second < options.steadyStateSeconds; second++) {
        await overHttp(signerUrl, signerKeysOf(1), 1);
        await overHttp(bareUrl, bareKeys(curve, 1), 1);
      }
      for (const concurrency of options.concurrencies) {
        const signerPkhs = signerKeysOf(concurrency);
        const barePkhs = bareKeys(curve, concurrency);
        const floor = (seconds: number) => started.process.ask<Sample>(JSON.stringify({ curve, workers: concurrency, seconds, request } satisfies FloorOrder));
        await overHttp(signerUrl, signerPkhs, options.warmUpSeconds);
        await overHttp(bareUrl, barePkhs, options.warmUpSeconds);
        await floor(options.warmUpSeconds / 2);
        const samples = { floor: [] as Sample[], bare: [] as Sample[], signer: [] as Sample[] };
        const cpu = { signer: new CpuTally(serve.pid), bare: new CpuTally(started.process.child.pid) };
        const answers = (sample: Sample) => sample.latencies.length;
        const slices = concurrency === 1 ? options.slicesAtOne : options.slices;
        for (let slice = 0; slice < slices; slice++) {
          samples.floor.push(await floor(options.secondsPerSlice));
          samples.bare.push(await cpu.bare.around(() => overHttp(bareUrl, barePkhs, options.secondsPerSlice), answers));
          samples.signer.push(await cpu.signer.around(() => overHttp(signerUrl, signerPkhs, options.secondsPerSlice), answers));
        }
        const signerCpu = cpu.signer.perSignature();
        const bareCpu = cpu.bare.perSignature();
        const result: LocalCase = {
          prefix,
          curve,
          concurrency,
          signer: figures(samples.signer),
          bare: figures(samples.bare),
          floor: figures(samples.floor),
          ...(signerCpu === undefined || bareCpu === undefined ? {} : { cpu: { signer: signerCpu, bare: bareCpu } }),
        };
        for (const name of ['floor', 'bare', 'signer'] as const) console.log(caseLine(`${prefix} c=${concurrency} ${name}`, result[name], { unit: 'sig/s' }));
        if (result.cpu !== undefined) console.log(`${prefix} c=${concurrency} CPU per signature: ${cpuLine(result.cpu)}`);
        const failed = { bare: samples.bare, signer: samples.signer };
        for (const [name, list] of Object.entries(failed)) {
          const count = list.reduce((sum, sample) => sum + ((sample as BurstSample).failed ?? 0), 0);
          if (count > 0) console.log(`${prefix} c=${concurrency} ${name}: ${count} answers were not signatures (failed closed under the load)`);
        }
        cases.push(result);
      }
    }
    return { cases, readyMs: serve.readyMs, keys };
  } finally {
    await bare?.stop();
    await serve?.stop();
    await rm(base, { recursive: true, force: true });
  }
}
