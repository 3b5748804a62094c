// A bakery at scale: one signer serving 500 keys, started afresh, then given what a baker sends at
// each level: a preattestation for every key at once, then, once all are answered, an
// attestation for every key. Measured: the time from `serve` starting to its first "listening"
// line and to its first ready /readyz (every key open), the first level's burst sent the moment
// it is ready (a restarted baker's next level), then steady levels: p50/p99 of each answer and
// the time from the first request of a level to the last of its 1,000 answers; and the signer's
// resident memory after them. tz1 keys in the local encrypted vault run the installed command
// twice: its first start (no unlock cache: every key opened from its file) and a restart (the
// cache it wrote then), each steady level followed by the same level sent to the bare server
// (bare-server-process.ts, as many tz1 keys), the machine's time for it; tz2 keys in the Key
// Vault stand-in run the same bundle with the stand-in's test credential (the shipped command
// has no way to trust a test certificate, by design).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEntry } from '../test-support/bundled-entry.js';
import { startStandIn, type StandIn } from './azure-key-vault.js';
import { makeBenchHome } from './bench-home.js';
import { installCommand } from './installed-command.js';
import { bareKeys, startBareServer } from './bare-server-child.js';
import type { LineChild } from './line-child.js';
import { LoadProcess, type LoadThread } from './load.js';
import { figures, type Figures, type Sample } from './measure.js';
import type { BurstSample } from './post-load.js';
import type { BakeryRow } from './page-figures.js';
import { commandEnv } from './shipped-cases.js';
import { startServedCommand, type ServeStart } from './served-command.js';

export const BAKERY_KEYS = 500;
/** steady levels measured after the first one */
const STEADY_LEVELS = 3;
/** the first start's last line about the vault: the cache the restart opens is on disk */
const CACHE_WRITTEN = /unlock cache \S+ written with the \d+ encrypted keys open/;
const FROM_CACHE = /(\d+) of (\d+) encrypted keys opened from the unlock cache/;
const KEY_LINE = /^tezsigner: key (tz[1-4]\w+) \(/gm;

export interface BakeryOptions {
  readonly keys?: number;
  readonly vaultLatencyMs: number;
}

/** One level: preattestations of every key at once, then attestations; each answer's latency and the time to the last. */
function level(load: LoadThread, url: string, pkhs: readonly string[], at: number): Promise<BurstSample> {
  return load.burst({ url, pkhs, level: at, kinds: ['preattestation', 'attestation'] });
}

const last = (sample: Sample) => sample.seconds * 1000;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

type Start = 'first start' | 'restart';

/** The bare server (bare-server-process.ts) with as many tz1 keys, sent each steady level after the signer. */
interface BareBakery {
  readonly url: string;
  readonly pkhs: readonly string[];
}

async function measureServe(
  setup: string,
  start: ServeStart,
  load: LoadThread,
  keys: number,
  local?: { start: Start; levelBase: number; bare: BareBakery },
): Promise<BakeryRow> {
  const serve = await startServedCommand(start);
  try {
    const pkhs = [...serve.stderr().matchAll(KEY_LINE)].map((match) => match[1] as string);
    if (pkhs.length !== keys) throw new Error(`${setup}: serve listed ${pkhs.length} keys, expected ${keys}`);
    const cached = FROM_CACHE.exec(serve.stderr());
    const fromCache = Number(cached?.[1] ?? 0);
    if (local?.start === 'restart' && fromCache !== keys) throw new Error(`${setup}: ${fromCache} keys opened from the unlock cache, expected ${keys}: ${serve.stderr()}`);
    if (local?.start === 'first start' && cached !== null) throw new Error(`${setup}: an unlock cache was there before the first start`);
    // a restarted baker's next level, sent the moment the signer is ready
    const base = local?.levelBase ?? 0;
    const first = await level(load, serve.url, pkhs, base + 1);
    if (local?.start === 'first start') await serve.whenPrinted(CACHE_WRITTEN, 120_000);
    const steady: BurstSample[] = [];
    const bare: BurstSample[] = [];
    for (let at = 2; at < 2 + STEADY_LEVELS; at++) {
      steady.push(await level(load, serve.url, pkhs, base + at));
      if (local !== undefined) bare.push(await level(load, local.bare.url, local.bare.pkhs, base + at));
    }
    const burst: Figures = figures(steady);
    const row: BakeryRow = {
      setup,
      keys,
      ...(local === undefined ? {} : { start: local.start }),
      listeningMs: serve.listeningMs,
      readyMs: serve.readyMs,
      firstLevelMs: last(first),
      burst,
      lastAnswerMs: median(steady.map(last)),
      rssMiB: (await serve.rssBytes()) / 2 ** 20,
      failed: first.failed + steady.reduce((sum, sample) => sum + sample.failed, 0),
      ...(bare.length === 0 ? {} : { bare: { burst: figures(bare), lastAnswerMs: median(bare.map(last)) } }),
    };
    console.log(
      `${setup}: listening ${row.listeningMs.toFixed(0)} ms, ready ${row.readyMs.toFixed(0)} ms, ` +
        `first level's last answer ${row.firstLevelMs.toFixed(0)} ms; steady: p50 ${burst.p50.toFixed(2)} ms, p99 ${burst.p99.toFixed(2)} ms, ` +
        `last answer ${row.lastAnswerMs.toFixed(0)} ms (levels: ${steady.map((s) => last(s).toFixed(0)).join(', ')}), RSS ${row.rssMiB.toFixed(0)} MiB, ${row.failed} failed closed` +
        (bare.length === 0 ? '' : `; the bare server's same levels: last answer ${row.bare?.lastAnswerMs.toFixed(0)} ms (${bare.map((s) => last(s).toFixed(0)).join(', ')})`),
    );
    return row;
  } finally {
    await serve.stop();
  }
}

/**
 * The local vault's bakery: `keys` encrypted tz1 keys, the installed command, at its first start
 * (every key opened from its file) and at a restart (from the unlock cache the first wrote).
 */
export async function localBakery(command: string, load: LoadThread, keys = BAKERY_KEYS): Promise<BakeryRow[]> {
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-bakery-'));
  let bareProcess: LineChild | undefined;
  try {
    const home = await makeBenchHome(join(base, 'user'), { ed25519: keys });
    const started = await startBareServer(join(base, 'bare'), ['ed25519'], keys);
    bareProcess = started.process;
    const bare = { url: started.url, pkhs: bareKeys('ed25519', keys) };
    // its first level, as the signer's, is not one of the steady ones
    await level(load, bare.url, bare.pkhs, 1);
    const start: ServeStart = { command: [command], env: commandEnv(home.userHome) };
    const setup = `${keys} tz1 keys, local encrypted vault`;
    return [
      await measureServe(`${setup}, first start (no unlock cache)`, start, load, keys, { start: 'first start', levelBase: 0, bare }),
      // the restart signs the levels after those of the first start, as a baker's next ones
      await measureServe(`${setup}, restart (unlock cache)`, start, load, keys, { start: 'restart', levelBase: 100, bare }),
    ];
  } finally {
    await bareProcess?.stop();
    await rm(base, { recursive: true, force: true });
  }
}

/** The Key Vault bakery: `keys` tz2 keys in the stand-in at `latencyMs`, the command's bundle with the stand-in's credential. */
export async function vaultBakery(load: LoadThread, latencyMs: number, keys = BAKERY_KEYS): Promise<BakeryRow> {
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-bakery-kv-'));
  let standIn: StandIn | undefined;
  try {
    standIn = await startStandIn({ tz2: keys, tz3: 0 });
    standIn.setLatency(latencyMs);
    const entry = await nodeEntry('packages/cli/test/support/azure-serve-process.ts');
    const env = { ...commandEnv(join(base, 'user')), ...entry.env, TEZSIGNER_TEST_AZURE_CA: standIn.certificate, TEZSIGNER_TEST_AZURE_TOKEN: standIn.token };
    const start: ServeStart = { command: [process.execPath, ...entry.args], args: ['--vault', 'azure', '--azure-vault-url', standIn.url], env };
    return await measureServe(`${keys} tz2 keys, Key Vault stand-in at ${latencyMs} ms`, start, load, keys);
  } finally {
    standIn?.stop();
    await rm(base, { recursive: true, force: true });
  }
}

/**
 * `pnpm bench bakery`: the page's bakery alone, on the command install.sh installs (or
 * TEZSIGNER_BENCH_COMMAND's); `TEZSIGNER_BENCH_BAKERY=local` leaves out the Key Vault stand-in.
 */
export async function run(): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-bakery-run-'));
  const load = LoadProcess.start();
  try {
    const command = await installCommand(join(base, 'prefix'));
    console.log(`the command: ${command.origin}`);
    await localBakery(command.path, load);
    if (process.env['TEZSIGNER_BENCH_BAKERY'] !== 'local') await vaultBakery(load, 30);
  } finally {
    await load.close();
    await rm(base, { recursive: true, force: true });
  }
}
