// Issue 14's yardstick: what one signature costs end to end over HTTP (Ed25519, watermark on,
// one conditional commit per signature) against a floor measured in the same run: the least
// any durable signer must do per signature, in a tight loop — sign, verify, and one atomic
// fsynced write (file: temp file, fsync, rename, fsync the folder; table: one entity write).
// Floor and end-to-end cases alternate in slices, so a change of machine load weighs on both.
// The HTTP clients run on a thread of their own, as a baker runs in a process of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyProvider, SignerService, generateSecretKey } from '../packages/core/src/index.js';
import { startSignerServer } from '../packages/http-server/src/index.js';
import { TableWatermarkStore } from '../packages/azure-adapter/src/index.js';
import { createTableClient } from '../packages/azure-adapter/src/table/client.js';
import { startAzurite } from '../packages/azure-adapter/test/support/azurite.js';
import { startBareSigner } from './bare-server.js';
import { fileBackend, floorLoop, floorWork, type Backend, type RequestKind, type ServedCase } from './floor.js';
import { LoadThread } from './load.js';
import { figures, type Figures, type Sample } from './measure.js';
import { caseLine } from './report.js';

// Many short slices: the host's slow spells (a few hundred ms of stalled disk or stolen CPU)
// then fall on every case alike instead of on whichever case ran at that moment.
const SECONDS_PER_SLICE = 0.6;
const SLICES = 10;
const WARM_UP_SECONDS = 2;
const PROCESS_WARM_UP_SECONDS = 4;
const CONCURRENCIES = [1, 64];

/**
 * The floor's work behind a bare node:http server (no watermark rule, no parsing, no log): what
 * any durable signer pays over HTTP on this machine. The signer over HTTP is set against it too,
 * which separates the signer's own cost from the machine's (thread wake-ups, scheduling).
 */
export async function startFloorServer(backend: Backend, workers: number, clients: LoadThread, { curve = 'ed25519', request = 'block', warmUpSeconds = WARM_UP_SECONDS }: ServedCase = {}) {
  const work = floorWork(backend, workers, curve);
  let level = 0;
  const server = await startBareSigner((path, bytes) => work(Number(path.slice('/keys/w'.length)), bytes, (level += 1)));
  const pkhs = Array.from({ length: workers }, (_, w) => `w${w}`);
  return servedOverHttp(server, pkhs, clients, request, warmUpSeconds);
}

/**
 * The whole signer over HTTP: the lean signing route, SignerService, the store's read and
 * conditional commit, with the clients on a thread of their own (a baker is another process).
 * One signer serves all slices of a case, as one runs for weeks: its first requests (folders
 * made, connections opened, code compiled, the fresh heap's first full collections) are a
 * warm-up, not part of the figures.
 */
export async function startHttpSigner(backend: Backend, workers: number, clients: LoadThread, { curve = 'ed25519', request = 'block', warmUpSeconds = WARM_UP_SECONDS }: ServedCase = {}) {
  const provider = new MemoryKeyProvider(Array.from({ length: workers }, () => generateSecretKey(curve)));
  const pkhs = (await provider.listKeys()).map((key) => key.pkh);
  const signer = new SignerService({ keys: provider, watermarks: await backend.store() });
  const server = await startSignerServer({ signer, host: '127.0.0.1', port: 0 });
  return servedOverHttp(server, pkhs, clients, request, warmUpSeconds);
}

/**
 * A server under load from the clients' thread, warmed up; each timed run at levels of its own.
 * The warm-up is long: with half a second, the first timed slices still carried a freshly
 * started process's compilations and full collections (p99 of 6–10 ms against 2–3 after).
 */
async function servedOverHttp(server: { readonly url: string; close(): Promise<void> }, pkhs: readonly string[], clients: LoadThread, request: RequestKind, warmUpSeconds: number) {
  let levelBase = 0;
  const overHttp = (seconds: number): Promise<Sample> => {
    levelBase += 1_000_000;
    return clients.load({ url: server.url, pkhs, seconds, levelBase, request });
  };
  await overHttp(warmUpSeconds);
  return { overHttp, close: () => server.close() };
}

interface Comparison {
  readonly floor: Figures;
  readonly floorOverHttp: Figures;
  readonly http: Figures;
}

/** How many alternating slices of how many seconds a comparison takes, besides what it signs. */
export interface Slicing extends ServedCase {
  readonly slices?: number;
  readonly secondsPerSlice?: number;
}

/**
 * The floor, the bare server and the signer over HTTP, `workers` at once, in alternating slices
 * of one run (each server warmed up first): the three figures of one case.
 */
export async function floorBareAndSigner(backend: Backend, workers: number, clients: LoadThread, { slices = SLICES, secondsPerSlice = SECONDS_PER_SLICE, ...served }: Slicing = {}) {
  const samples = { floor: [] as Sample[], bare: [] as Sample[], signer: [] as Sample[] };
  const signer = await startHttpSigner(backend, workers, clients, served);
  const bare = await startFloorServer(backend, workers, clients, served);
  try {
    const floor = floorLoop(backend, workers, served);
    await floor(0.3);
    for (let slice = 0; slice < slices; slice++) {
      samples.floor.push(await floor(secondsPerSlice));
      samples.bare.push(await bare.overHttp(secondsPerSlice));
      samples.signer.push(await signer.overHttp(secondsPerSlice));
    }
  } finally {
    await signer.close();
    await bare.close();
  }
  return { floor: figures(samples.floor), bare: figures(samples.bare), signer: figures(samples.signer) };
}

async function compare(backend: Backend, workers: number, clients: LoadThread): Promise<Comparison> {
  const measured = await floorBareAndSigner(backend, workers, clients);
  const result = { floor: measured.floor, floorOverHttp: measured.bare, http: measured.signer };
  console.log(caseLine(`${backend.name} c=${workers} floor`, result.floor, { unit: 'sig/s' }));
  console.log(caseLine(`${backend.name} c=${workers} floor, bare HTTP server`, result.floorOverHttp, { unit: 'sig/s' }));
  console.log(caseLine(`${backend.name} c=${workers} signer over HTTP`, result.http, { unit: 'sig/s' }));
  return result;
}

async function report(backend: Backend, clients: LoadThread): Promise<void> {
  const [one, many] = [await compare(backend, CONCURRENCIES[0] as number, clients), await compare(backend, CONCURRENCIES[1] as number, clients)];
  const p99Over = (base: Figures) => (one.http.p99 - base.p99).toFixed(2);
  const rateOf = (base: Figures) => (many.http.perSecond / base.perSecond).toFixed(2);
  console.log(
    `${backend.name}: c=1 p99 signer over HTTP − floor p99 = ${p99Over(one.floor)} ms (target ≤ 2 ms; − the bare server's: ${p99Over(one.floorOverHttp)} ms); ` +
      `c=64 over 64 keys: signer ÷ floor throughput = ${rateOf(many.floor)} (target ≥ 0.50; ÷ the bare server's: ${rateOf(many.floorOverHttp)})`,
  );
}

/**
 * A freshly started process takes seconds of signing to settle (its code optimized, its heap
 * grown through its first full collections): run alone, this suite's first case measured that
 * instead (p99 4.1–4.3 ms where the next case, same code, gave 2.9). So signers that are then
 * thrown away sign first, at both concurrencies, unmeasured.
 */
async function warmUpProcess(backend: Backend, clients: LoadThread): Promise<void> {
  for (const workers of CONCURRENCIES) {
    const signer = await startHttpSigner(backend, workers, clients);
    await signer.overHttp(PROCESS_WARM_UP_SECONDS);
    await signer.close();
  }
}

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-commit-'));
  const azurite = await startAzurite();
  const clients = LoadThread.start();
  try {
    let stores = 0;
    const file = fileBackend(home);
    const client = createTableClient({ connectionString: azurite.connectionString, tableName: 'benchfloor' });
    await client.createTable();
    const table: Backend = {
      name: 'azurite table',
      write: async (worker, content) => {
        await client.upsertEntity({ partitionKey: 'floor', rowKey: `w${worker}`, content }, 'Replace');
      },
      store: async () => new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: `benchcommit${stores++}` }),
    };
    console.log(`Ed25519 blocks, watermark on; ${SLICES} alternating slices of ${SECONDS_PER_SLICE} s per case; one key per concurrent client`);
    await warmUpProcess(file, clients);
    await report(file, clients);
    await report(table, clients);
  } finally {
    await clients.close();
    await azurite.stop();
    await rm(home, { recursive: true, force: true });
  }
}
