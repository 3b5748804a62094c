// A bakery at scale: one signer serving 500 keys, started afresh (as after a restart), then
// given what a baker sends at each level: a preattestation for every key at once, then, once all
// are answered, an attestation for every key. Measured: the time from `serve` starting to its
// first "listening" line and to its first ready /readyz, the time until every key is decrypted
// (local vault), the first level's burst sent the moment it is ready (a restarted baker's next
// level), then steady levels: p50/p99 of each answer and the time from the first request of a
// level to the last of its 1,000 answers; and the signer's resident memory after them.
// tz1 keys in the local encrypted vault run the installed command; tz2 keys in the Key Vault
// stand-in run the same bundle with the stand-in's test credential (the shipped command has no
// way to trust a test certificate, by design).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEntry } from '../test-support/bundled-entry.js';
import { startStandIn, type StandIn } from './azure-key-vault.js';
import { makeBenchHome } from './bench-home.js';
import type { LoadThread } from './load.js';
import { figures, type Figures, type Sample } from './measure.js';
import type { BurstSample } from './post-load.js';
import type { BakeryRow } from './page-figures.js';
import { commandEnv } from './shipped-cases.js';
import { startServedCommand, type ServeStart } from './served-command.js';

export const BAKERY_KEYS = 500;
/** steady levels measured after the first one */
const STEADY_LEVELS = 3;
const ALL_OPEN = /all \d+ keys decrypted/;
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

async function measureServe(setup: string, start: ServeStart, load: LoadThread, opensKeys: boolean, keys: number): Promise<BakeryRow> {
  const serve = await startServedCommand(start);
  try {
    const pkhs = [...serve.stderr().matchAll(KEY_LINE)].map((match) => match[1] as string);
    if (pkhs.length !== keys) throw new Error(`${setup}: serve listed ${pkhs.length} keys, expected ${keys}`);
    // a restarted baker's next level, sent the moment the signer is ready
    const first = await level(load, serve.url, pkhs, 1);
    const allOpenMs = opensKeys ? await serve.whenPrinted(ALL_OPEN, 120_000) : undefined;
    const steady: BurstSample[] = [];
    for (let at = 2; at < 2 + STEADY_LEVELS; at++) steady.push(await level(load, serve.url, pkhs, at));
    const burst: Figures = figures(steady);
    const row: BakeryRow = {
      setup,
      keys,
      listeningMs: serve.listeningMs,
      readyMs: serve.readyMs,
      ...(allOpenMs === undefined ? {} : { allOpenMs }),
      firstLevelMs: last(first),
      burst,
      lastAnswerMs: median(steady.map(last)),
      rssMiB: (await serve.rssBytes()) / 2 ** 20,
      failed: first.failed + steady.reduce((sum, sample) => sum + sample.failed, 0),
    };
    console.log(
      `${setup}: listening ${row.listeningMs.toFixed(0)} ms, ready ${row.readyMs.toFixed(0)} ms${allOpenMs === undefined ? '' : `, all keys open ${allOpenMs.toFixed(0)} ms`}, ` +
        `first level's last answer ${row.firstLevelMs.toFixed(0)} ms; steady: p50 ${burst.p50.toFixed(2)} ms, p99 ${burst.p99.toFixed(2)} ms, ` +
        `last answer ${row.lastAnswerMs.toFixed(0)} ms (levels: ${steady.map((s) => last(s).toFixed(0)).join(', ')}), RSS ${row.rssMiB.toFixed(0)} MiB, ${row.failed} failed closed`,
    );
    return row;
  } finally {
    await serve.stop();
  }
}

/** The local vault's bakery: `keys` encrypted tz1 keys, the installed command. */
export async function localBakery(command: string, load: LoadThread, keys = BAKERY_KEYS): Promise<BakeryRow> {
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-bakery-'));
  try {
    const home = await makeBenchHome(join(base, 'user'), { ed25519: keys });
    return await measureServe(`${keys} tz1 keys, local encrypted vault`, { command: [command], env: commandEnv(home.userHome) }, load, true, keys);
  } finally {
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
    return await measureServe(`${keys} tz2 keys, Key Vault stand-in at ${latencyMs} ms`, start, load, false, keys);
  } finally {
    standIn?.stop();
    await rm(base, { recursive: true, force: true });
  }
}
