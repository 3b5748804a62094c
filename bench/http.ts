// What HTTP costs: signing requests/s and p50/p99 latency end to end (keep-alive HTTP client →
// signer HTTP server → SignerService → file watermark store with fsync → key), next to the same
// SignerService called directly with the same kind of store, for Ed25519 and secp256k1, at
// concurrency 1, 8 and 64. Each worker signs with its own key, level after level, so every
// request really advances a watermark (and none is refused for arriving out of order). Last, a
// tz4 baker's attestations one at a time over HTTP, p50/p99 against the 5 ms target.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyProvider, MemoryWatermarkStore, SignerService, blake2b256, derivePublicKey, generateSecretKey, signWithSecretKey, verifySignature } from '../packages/core/src/index.js';
import type { Curve, KeyInfo } from '../packages/core/src/index.js';
import { startSignerServer } from '../packages/http-server/src/index.js';
import { attestation, tenderbakeBlock } from '../packages/http-server/test/support/consensus-bytes.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { figures, measure, type Figures, type Sample } from './measure.js';
import { startBareSigner, type BareServer } from './bare-server.js';
import { LoadThread } from './load.js';
import { postLoad } from './post-load.js';

const SECONDS_PER_CASE = 2.5;
const CONCURRENCIES = [1, 8, 64];
const SLICES = 2;

interface Setup {
  readonly signer: SignerService;
  readonly keys: readonly KeyInfo[];
  close(): Promise<void>;
}

type StoreKind = 'file' | 'memory';

/** A SignerService over fresh keys and a fresh watermark store (files in a fresh home, or memory). */
async function setUp(curve: Curve, count: number, store: StoreKind): Promise<Setup> {
  const home = await mkdtemp(join(tmpdir(), 'tezsigner-bench-http-'));
  const provider = new MemoryKeyProvider(Array.from({ length: count }, () => generateSecretKey(curve)));
  const watermarks = store === 'file' ? await FileWatermarkStore.open({ home }) : new MemoryWatermarkStore();
  const signer = new SignerService({ keys: provider, watermarks });
  return { signer, keys: await provider.listKeys(), close: () => rm(home, { recursive: true, force: true }) };
}

function keyOf(keys: readonly KeyInfo[], worker: number): string {
  const key = keys[worker];
  if (key === undefined) throw new Error(`no key for worker ${worker}`);
  return key.pkh;
}

async function direct(curve: Curve, workers: number, seconds: number, store: StoreKind): Promise<Sample> {
  const setup = await setUp(curve, workers, store);
  try {
    return await measure(workers, seconds, async (worker, level) => {
      const result = await setup.signer.sign(keyOf(setup.keys, worker), Buffer.from(tenderbakeBlock(level, 0), 'hex'));
      if (result.outcome !== 'signed') throw new Error(`expected a new signature at level ${level}`);
    });
  } finally {
    await setup.close();
  }
}

/** What each request signs: the request bytes (hex) at `level`. */
type RequestAt = (level: number) => string;
const blockAt: RequestAt = (level) => tenderbakeBlock(level, 0);

async function overHttp(curve: Curve, workers: number, seconds: number, store: StoreKind, requestAt = blockAt): Promise<Sample> {
  const setup = await setUp(curve, workers, store);
  const server = await startSignerServer({ signer: setup.signer, host: '127.0.0.1', port: 0 });
  try {
    return await postLoad(server.url, setup.keys.map((key) => key.pkh), seconds, (level) => JSON.stringify(requestAt(level)));
  } finally {
    await server.close();
    await setup.close();
  }
}

const cell = (f: Figures) =>
  `${f.perSecond.toFixed(0).padStart(6)} req/s  p50 ${f.p50.toFixed(2).padStart(7)} ms  p99 ${f.p99.toFixed(2).padStart(7)} ms`;

const signed = (value: number) => `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(2)}`;

/** Both ways in alternating slices, so a change of machine load weighs on both alike. */
async function compare(curve: Curve, concurrency: number, seconds: number, store: StoreKind): Promise<void> {
  const coreSamples: Sample[] = [];
  const httpSamples: Sample[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    coreSamples.push(await direct(curve, concurrency, seconds / SLICES, store));
    httpSamples.push(await overHttp(curve, concurrency, seconds / SLICES, store));
  }
  const core = figures(coreSamples);
  const http = figures(httpSamples);
  console.log(`${`${curve} c=${concurrency}`.padEnd(16)} SignerService ${cell(core)}`);
  console.log(
    `${''.padEnd(16)} over HTTP     ${cell(http)}   = ${(http.perSecond / core.perSecond).toFixed(2)}x the rate, ${signed(http.p50 - core.p50)} ms p50`,
  );
}

export async function run(): Promise<void> {
  // warm-up: JIT of the server, the parser and both curves
  await overHttp('ed25519', 4, 0.5, 'file');
  await overHttp('secp256k1', 4, 0.5, 'file');
  console.log(`blocks signed with the watermark on, file store (fsync) in a temp home, ${SECONDS_PER_CASE} s per case, one key per concurrent client`);
  for (const curve of ['ed25519', 'secp256k1'] as const) {
    for (const concurrency of CONCURRENCIES) await compare(curve, concurrency, SECONDS_PER_CASE, 'file');
  }
  console.log('the same with the in-memory watermark store (no disk): what HTTP costs on its own');
  for (const concurrency of [1, 8]) await compare('ed25519', concurrency, SECONDS_PER_CASE / 2, 'memory');
  await tz4Attestations();
}

const TZ4_P99_TARGET_MS = 5;
// short slices, many of them: a slow spell of the host falls on all three servers alike
const TZ4_SLICES = 10;
const TZ4_SECONDS_PER_SLICE = 0.75;

/** BLS signing and verifying as core does them, with a fresh key: what a tz4 signature costs at least. */
function blsSignAndVerify(): (bytes: Uint8Array) => Uint8Array {
  const sk = generateSecretKey('bls12_381');
  const publicKey = derivePublicKey(sk);
  return (bytes) => {
    const signature = signWithSecretKey(sk, { bytes, digest: blake2b256(bytes) });
    if (!verifySignature('bls12_381', publicKey, bytes, signature)) throw new Error('BLS: no verify');
    return signature;
  };
}

/** ms of one BLS signature and its verification, as core makes them (p50 of 300, after a warm-up). */
function blsSignAndVerifyMs(): number {
  const work = blsSignAndVerify();
  const sample: number[] = [];
  for (let level = 1; level <= 400; level++) {
    const bytes = Buffer.from(attestation('attestation', level, 0, { tz4: true }), 'hex');
    const t0 = performance.now();
    work(bytes);
    // the first hundred warm up (the key's verifier, the JIT)
    if (level > 100) sample.push(performance.now() - t0);
  }
  return figures({ latencies: sample, seconds: 1 }).p50;
}

/**
 * What this machine gives any HTTP server with the same work: a bare node:http server that reads
 * the JSON hex, signs it with a BLS key of its own and verifies the signature (core's functions,
 * as the signer does), and answers its hex; no parsing, watermark or base58. The difference to
 * it is the signer's own cost; the rest is the machine's (thread wake-ups, scheduling, timer
 * ticks, and the BLS arithmetic slowed when the host is busy, which a handler that only spun for
 * as long would not have been).
 */
function startBlsServer(): Promise<BareServer> {
  const work = blsSignAndVerify();
  return startBareSigner((_path, bytes) => work(bytes));
}

/**
 * A tz4 baker's critical path: one attestation after another (concurrency 1), each a level
 * higher, over HTTP end to end (BLS sign and verify included), with the in-memory store (the
 * target) and the file store (fsync), p50/p99 against the target, next to the bare server that
 * only signs and verifies, in alternating slices. The baker is on a thread of its own, as for
 * the commit floor; one signer serves every slice after a warm-up.
 */
async function tz4Attestations(): Promise<void> {
  const blsMs = blsSignAndVerifyMs();
  const bare = await startBlsServer();
  const setups = await Promise.all((['memory', 'file'] as const).map(async (store) => {
    const setup = await setUp('bls12_381', 1, store);
    const server = await startSignerServer({ signer: setup.signer, host: '127.0.0.1', port: 0 });
    return { name: `${store} store`, url: server.url, pkhs: setup.keys.map((key) => key.pkh), samples: [] as Sample[], close: async () => { await server.close(); await setup.close(); } };
  }));
  const targets = [...setups, { name: 'bare server', url: bare.url, pkhs: ['tz4bare'], samples: [] as Sample[], close: () => bare.close() }];
  const clients = LoadThread.start();
  try {
    for (const target of targets) await clients.load({ url: target.url, pkhs: target.pkhs, seconds: 1.5, levelBase: 0, request: 'tz4 attestation' }); // warm-up: blst, the key's verifier, the JIT
    for (let slice = 1; slice <= TZ4_SLICES; slice++) {
      for (const target of targets) {
        target.samples.push(await clients.load({ url: target.url, pkhs: target.pkhs, seconds: TZ4_SECONDS_PER_SLICE, levelBase: slice * 1_000_000, request: 'tz4 attestation' }));
      }
    }
  } finally {
    await clients.close();
    for (const target of targets) await target.close();
  }
  const reference = figures(targets[targets.length - 1]?.samples ?? []);
  console.log(`tz4 attestations over HTTP, c=1; BLS sign + verify take ${blsMs.toFixed(2)} ms here (p50, a tight loop); the bare server only signs and verifies`);
  for (const target of targets) {
    const f = figures(target.samples);
    const verdict = target.name === 'bare server' ? '' : `p99 ${f.p99 <= TZ4_P99_TARGET_MS ? 'within' : 'OVER'} the ${TZ4_P99_TARGET_MS} ms target; over the bare server: ${signed(f.p50 - reference.p50)} ms p50, ${signed(f.p99 - reference.p99)} ms p99`;
    console.log(`  ${target.name.padEnd(13)} ${cell(f)}   ${verdict}   (${f.ops})`);
  }
}
