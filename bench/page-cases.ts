// The benchmark page's cases, measured in one run and handed back as figures (the page's writer
// and chart turn them into docs/benchmarks.md and its SVG): first the command install.sh
// installs, served in a process of its own against a bare server in another and loaded from a
// third (shipped-cases.ts), and a bakery of 500 keys (bakery.ts); then, as a breakdown, the
// signer assembled inside this process (commit.ts's floor, bare server and signer over HTTP),
// the Key Vault stand-in (azure-key-vault.ts) and an HA pair on Azurite, so the page and
// `pnpm bench` measure alike. Fewer and shorter slices than the suites, so the whole page takes
// a few minutes on 2 cores.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyProvider, SignerService, generateSecretKey, type Curve, type WatermarkStore } from '../packages/core/src/index.js';
import { startSignerServer } from '../packages/http-server/src/index.js';
import { TableWatermarkStore } from '../packages/azure-adapter/src/index.js';
import { startAzurite } from '../packages/azure-adapter/test/support/azurite.js';
import { PostgresWatermarkStore } from '../packages/postgres-adapter/src/index.js';
import { startPostgres } from '../packages/postgres-adapter/test/support/postgres-cluster.js';
import { run as vaultCases } from './azure-key-vault.js';
import { localBakery, vaultBakery } from './bakery.js';
import { floorBareAndSigner, startHttpSigner } from './commit.js';
import { fileSystemOf } from './file-system.js';
import { fileBackend, requestOf } from './floor.js';
import { installCommand } from './installed-command.js';
import { LoadProcess, LoadThread } from './load.js';
import { shippedCases } from './shipped-cases.js';
import { figures, type Sample } from './measure.js';
import { caseLine } from './report.js';
import type { HaRow, LocalCase, Machine, PageFigures, VaultRow } from './page-figures.js';
import { BAKERY_KEYS } from './bakery.js';

const CURVES: ReadonlyArray<[prefix: string, curve: Curve]> = [['tz1', 'ed25519'], ['tz2', 'secp256k1'], ['tz3', 'p256'], ['tz4', 'bls12_381']];
/** the in-process breakdown: one curve is enough to say where the time goes */
const BREAKDOWN_CURVES = CURVES.slice(0, 1);
const CONCURRENCIES = [1, 8, 64];
const SLICES = 4;
// one request in flight gives the fewest latencies a second, and its p99 is a target: more slices
const SLICES_AT_ONE = 10;
const WARM_UP_SECONDS = 0.75;
/** the shipped command's server and the bare one, per case, before its slices */
const SHIPPED_WARM_UP_SECONDS = 1;
/** before each curve's first case: both servers' first few thousand answers are slower (shipped-cases.ts) */
const SHIPPED_STEADY_STATE_SECONDS = 8;
const SECONDS_PER_SLICE = 0.5;
const VAULT_LATENCY_MS = 30;
const HA_CONCURRENCIES = [1, 8];
const HA_SLICES = 3;

function machine(): Machine {
  const { description, unjournaledExt4 } = fileSystemOf();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverage: loadavg()[0] ?? Number.NaN,
    date: new Date().toISOString(),
    fileSystem: description,
    unjournaledExt4,
  };
}

async function localCase(home: string, prefix: string, curve: Curve, concurrency: number, clients: LoadThread): Promise<LocalCase> {
  const backend = fileBackend(home);
  const request = requestOf(curve);
  const slices = concurrency === 1 ? SLICES_AT_ONE : SLICES;
  const measured = await floorBareAndSigner(backend, concurrency, clients, { curve, request, warmUpSeconds: WARM_UP_SECONDS, slices, secondsPerSlice: SECONDS_PER_SLICE });
  const result = { prefix, curve, concurrency, ...measured };
  for (const name of ['floor', 'bare', 'signer'] as const) console.log(caseLine(`${prefix} c=${concurrency} ${name}`, result[name], { unit: 'sig/s' }));
  return result;
}

async function localCases(clients: LoadThread): Promise<LocalCase[]> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-page-'));
  try {
    // a fresh process's first seconds of signing (JIT, first full collections) are no case's:
    // signers thrown away sign first, one request at a time and many at once, as commit.ts does
    for (const workers of [1, 64]) {
      const warm = await startHttpSigner(fileBackend(home), workers, clients, { warmUpSeconds: 2 });
      await warm.close();
    }
    const cases: LocalCase[] = [];
    for (const [prefix, curve] of BREAKDOWN_CURVES) {
      for (const concurrency of CONCURRENCIES) cases.push(await localCase(home, prefix, curve, concurrency, clients));
    }
    return cases;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function vault(): Promise<VaultRow[]> {
  const cases = await vaultCases({ latenciesMs: [VAULT_LATENCY_MS], keySets: ['tz2', '4 keys'], concurrencies: CONCURRENCIES, seconds: 1.5, extras: false });
  return cases.map(({ keys, concurrency, figures: f, failed }) => ({ keys: keys === 'tz2' ? '1 key (tz2)' : '4 keys (2 tz2 + 2 tz3)', concurrency, figures: f, failed }));
}

/** A shared store an HA pair runs on: Azurite's tables, or a PostgreSQL cluster's schemas. */
interface SharedStores {
  readonly name: string;
  /** a store on the table (or schema) `name`, made before the instances start so that neither races to create it */
  open(name: string): Promise<WatermarkStore>;
  stop(): Promise<void>;
}

async function azuriteStores(): Promise<SharedStores> {
  const azurite = await startAzurite();
  return {
    name: 'Azurite',
    async open(tableName) {
      const store = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName });
      await store.list();
      return store;
    },
    stop: () => azurite.stop(),
  };
}

async function postgresStores(): Promise<SharedStores> {
  const cluster = await startPostgres();
  const url = await cluster.createDatabase('bench');
  return {
    name: 'PostgreSQL',
    async open(schema) {
      const store = new PostgresWatermarkStore({ url, schema });
      await store.list();
      return store;
    },
    stop: () => cluster.remove(),
  };
}

/**
 * Two signers on one shared store (an HA pair) over HTTP, each client's levels sent to them in
 * turn as a round-robin balancer would, so every commit follows the other instance's write;
 * next to one instance alone on the store. Ed25519 blocks, one key per client.
 */
async function haPair(clients: LoadThread, shared: SharedStores): Promise<HaRow[]> {
  const rows: HaRow[] = [];
  const opened: WatermarkStore[] = [];
  try {
    let tables = 0;
    for (const concurrency of HA_CONCURRENCIES) {
      const secretKeys = Array.from({ length: concurrency }, () => generateSecretKey('ed25519'));
      const start = async (tableName: string) => {
        const provider = new MemoryKeyProvider(secretKeys);
        const store = await shared.open(tableName);
        opened.push(store);
        const signer = new SignerService({ keys: provider, watermarks: store });
        return { server: await startSignerServer({ signer, host: '127.0.0.1', port: 0 }), pkhs: (await provider.listKeys()).map((key) => key.pkh) };
      };
      const pairTable = `benchpagepair${tables++}`;
      const [a, b, alone] = [await start(pairTable), await start(pairTable), await start(`benchpagealone${tables++}`)];
      const setups = [
        { setup: `${shared.name}: HA pair, requests alternating`, urls: [a.server.url, b.server.url], samples: [] as Sample[] },
        { setup: `${shared.name}: one instance`, urls: [alone.server.url], samples: [] as Sample[] },
      ];
      try {
        let levelBase = 0;
        const load = (urls: readonly string[], seconds: number) => clients.load({ url: urls, pkhs: a.pkhs, seconds, levelBase: (levelBase += 1_000_000) });
        for (const { urls } of setups) await load(urls, 1);
        for (let slice = 0; slice < HA_SLICES; slice++) {
          for (const setup of setups) setup.samples.push(await load(setup.urls, SECONDS_PER_SLICE));
        }
      } finally {
        for (const { server } of [a, b, alone]) await server.close();
      }
      for (const { setup, samples } of setups) {
        const row = { setup, concurrency, figures: figures(samples) };
        console.log(caseLine(`${setup} c=${concurrency}`, row.figures, { unit: 'sig/s' }));
        rows.push(row);
      }
    }
    return rows;
  } finally {
    await Promise.all(opened.map((store) => store.close?.()));
    await shared.stop();
  }
}

export async function measurePage(): Promise<PageFigures> {
  const started = performance.now();
  const host = machine();
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-page-'));
  const command = await installCommand(join(base, 'prefix'));
  const load = LoadProcess.start();
  try {
    console.log(`the shipped command: ${command.origin}; ${SLICES} alternating slices of ${SECONDS_PER_SLICE} s per case (${SLICES_AT_ONE} at 1 in flight)`);
    const shipped = await shippedCases(command.path, load, {
      curves: CURVES,
      concurrencies: CONCURRENCIES,
      slices: SLICES,
      slicesAtOne: SLICES_AT_ONE,
      secondsPerSlice: SECONDS_PER_SLICE,
      warmUpSeconds: SHIPPED_WARM_UP_SECONDS,
      steadyStateSeconds: SHIPPED_STEADY_STATE_SECONDS,
    });
    console.log(`a bakery of ${BAKERY_KEYS} keys`);
    const bakery = [...(await localBakery(command.path, load)), await vaultBakery(load, VAULT_LATENCY_MS)];
    await load.close();
    const clients = LoadThread.start();
    try {
      console.log(`in-process breakdown: local keys, file store (fsync), ${SLICES} alternating slices of ${SECONDS_PER_SLICE} s per case (${SLICES_AT_ONE} at 1 in flight)`);
      const local = await localCases(clients);
      console.log(`Azure Key Vault stand-in at ${VAULT_LATENCY_MS} ms`);
      const vaultRows = await vault();
      console.log('HA pair on Azurite and on PostgreSQL');
      const ha = [...(await haPair(clients, await azuriteStores())), ...(await haPair(clients, await postgresStores()))];
      return {
        machine: host,
        command: command.origin,
        shipped: shipped.cases,
        shippedStart: { readyMs: shipped.readyMs, keys: shipped.keys },
        bakery,
        local,
        vaultLatencyMs: VAULT_LATENCY_MS,
        vault: vaultRows,
        ha,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await clients.close();
    }
  } finally {
    await load.close();
    await rm(base, { recursive: true, force: true });
  }
}
