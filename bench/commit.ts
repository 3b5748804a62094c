// Issue 14's yardstick: what one signature costs end to end over HTTP (Ed25519, watermark on,
// one conditional commit per signature) against a floor measured in the same run: the least
// any durable signer must do per signature, in a tight loop — sign, verify, and one atomic
// fsynced write (file: temp file, fsync, rename, fsync the folder; table: one entity write).
// Floor and end-to-end cases alternate in slices, so a change of machine load weighs on both.
// The HTTP clients run on a thread of their own, as a baker runs in a process of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyProvider, SignerService, blake2b256, derivePublicKey, generateSecretKey, signWithSecretKey, verifySignature } from '../packages/core/src/index.js';
import type { SecretKey, WatermarkStore } from '../packages/core/src/index.js';
import { startSignerServer } from '../packages/http-server/src/index.js';
import { tenderbakeBlock } from '../packages/http-server/test/support/consensus-bytes.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { writeFileAtomic } from '../packages/local-adapter/src/atomic-write.js';
import { TableWatermarkStore } from '../packages/azure-adapter/src/index.js';
import { createTableClient } from '../packages/azure-adapter/src/table-client.js';
import { startAzurite } from '../packages/azure-adapter/test/support/azurite.js';
import { load } from './load.js';
import { figures, measure, type Figures, type Sample } from './measure.js';
import { caseLine } from './report.js';

const SECONDS_PER_SLICE = 1.5;
const SLICES = 2;
const CONCURRENCIES = [1, 64];

interface Backend {
  readonly name: string;
  /** one durable write of `content` for worker `w` (the floor's write) */
  write(worker: number, content: string): Promise<void>;
  /** a fresh watermark store for the signer */
  store(): Promise<WatermarkStore>;
}

/** Sign, verify, one atomic durable write: per worker its own key, level after level. */
async function floor(backend: Backend, workers: number, seconds: number): Promise<Sample> {
  const keys: SecretKey[] = Array.from({ length: workers }, () => generateSecretKey('ed25519'));
  const publicKeys = keys.map((sk) => derivePublicKey(sk));
  return measure(workers, seconds, async (worker, level) => {
    const bytes = Buffer.from(tenderbakeBlock(level, 0), 'hex');
    const digest = blake2b256(bytes);
    const sk = keys[worker] as SecretKey;
    const signature = signWithSecretKey(sk, { bytes, digest });
    if (!verifySignature('ed25519', publicKeys[worker] as Uint8Array, bytes, signature)) throw new Error('floor: signature does not verify');
    await backend.write(worker, JSON.stringify({ level, round: 0, hash: Buffer.from(digest).toString('hex'), signature: Buffer.from(signature).toString('hex') }));
  });
}

/**
 * The whole signer over HTTP: the lean signing route, SignerService, the store's read and
 * conditional commit, with the clients on a thread of their own (a baker is another process).
 * One signer serves all slices of a case, as one runs for weeks: its first requests (folders
 * made, connections opened) are a warm-up, not part of the figures.
 */
async function startHttpSigner(backend: Backend, workers: number) {
  const provider = new MemoryKeyProvider(Array.from({ length: workers }, () => generateSecretKey('ed25519')));
  const pkhs = (await provider.listKeys()).map((key) => key.pkh);
  const signer = new SignerService({ keys: provider, watermarks: await backend.store() });
  const server = await startSignerServer({ signer, host: '127.0.0.1', port: 0 });
  let levelBase = 0;
  const overHttp = (seconds: number): Promise<Sample> => {
    levelBase += 1_000_000;
    return load({ url: server.url, pkhs, seconds, levelBase });
  };
  await overHttp(0.5);
  return { overHttp, close: () => server.close() };
}

async function compare(backend: Backend, workers: number): Promise<{ floor: Figures; http: Figures }> {
  const floors: Sample[] = [];
  const https: Sample[] = [];
  const signer = await startHttpSigner(backend, workers);
  try {
    await floor(backend, workers, 0.3);
    for (let slice = 0; slice < SLICES; slice++) {
      floors.push(await floor(backend, workers, SECONDS_PER_SLICE));
      https.push(await signer.overHttp(SECONDS_PER_SLICE));
    }
  } finally {
    await signer.close();
  }
  const result = { floor: figures(floors), http: figures(https) };
  console.log(caseLine(`${backend.name} c=${workers} floor`, result.floor, { unit: 'sig/s' }));
  console.log(caseLine(`${backend.name} c=${workers} over HTTP`, result.http, { unit: 'sig/s' }));
  return result;
}

async function report(backend: Backend): Promise<void> {
  const [one, many] = [await compare(backend, CONCURRENCIES[0] as number), await compare(backend, CONCURRENCIES[1] as number)];
  console.log(
    `${backend.name}: c=1 p99 over HTTP − floor p99 = ${(one.http.p99 - one.floor.p99).toFixed(2)} ms (target ≤ 2 ms); ` +
      `c=64 over 64 keys: HTTP ÷ floor throughput = ${(many.http.perSecond / many.floor.perSecond).toFixed(2)} (target ≥ 0.50)`,
  );
}

export async function run(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-commit-'));
  const azurite = await startAzurite();
  try {
    let stores = 0;
    const file: Backend = {
      name: 'file',
      write: (worker, content) => writeFileAtomic(join(home, `floor-${worker}.json`), content),
      store: async () => FileWatermarkStore.open({ home: join(home, `store-${stores++}`) }),
    };
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
    await report(file);
    await report(table);
  } finally {
    await azurite.stop();
    await rm(home, { recursive: true, force: true });
  }
}
