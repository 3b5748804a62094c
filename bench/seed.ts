// Side by side with the seed: the original signer tezsigner replaces (lattejed/tezos-azure-hsm-
// signer, Node, 2019), both against one Key Vault stand-in in a process of its own, at the same
// latency, each in a process of its own, the load from a third, in alternating slices. Two kinds
// of request: packed data (0x05), which neither watermarks, so the cells compare the signing
// path itself (HTTP, the vault request, and what each does with the signature: tezsigner
// normalizes it to low S and verifies it, the seed does neither); and blocks at rising levels,
// each as its bakers sent them (Tenderbake's 0x11 to tezsigner, whose mark is fsynced before the
// answer; 0x01 to the seed, whose mark is a file rewritten without fsync). After the slices, a
// few signatures of each are checked with Taquito, so a signer fast because it answers wrong shows.
// `pnpm bench seed` needs SEED_DIR: the seed's sources with its local-bench patch and its
// dependencies installed (npm ci), as docs/benchmarks.md's "side by side" paragraph says; without
// it the suite says so and measures nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { nodeEntry } from '../test-support/bundled-entry.js';
import { startStandIn } from './azure-key-vault.js';
import { LeanConnection } from './lean-connection.js';
import { LoadProcess } from './load.js';
import type { LoadOrder } from './load-worker.js';
import { figures, type Figures, type Sample } from './measure.js';
import { commandEnv } from './shipped-cases.js';
import { startServedCommand } from './served-command.js';

const LATENCIES_MS = [0, 30];
/**
 * In flight per key set: one key alone, then many keys with a client each (and two each). Blocks
 * only with a client per key: clients sharing a key would race each other's levels.
 */
const CONCURRENCIES: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>> = {
  packed: { tz2: [1, 8], tz3: [1, 8], '4 keys': [4, 8] },
  blocks: { tz2: [1], tz3: [1], '4 keys': [4] },
};
const SLICES = 6;
const SECONDS_PER_SLICE = 0.5;
const WARM_UP_SECONDS = 1.5;
const CHECKED = 20;
const SEED_TOKEN = 'x';

/** What both sign: the load's request kind for tezsigner and for the seed. */
const KINDS: ReadonlyArray<[name: string, tezsigner: LoadOrder['request'], seed: LoadOrder['request']]> = [
  ['packed', 'packed', 'packed'],
  ['blocks', 'block', 'legacy block'],
];

interface Cell {
  readonly kind: string;
  readonly latencyMs: number;
  readonly keys: string;
  readonly concurrency: number;
  readonly tezsigner: Figures;
  readonly seed: Figures;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });

/** The seed's server.js, once it has loaded its keys from the vault. */
async function startSeed(dir: string, vaultUrl: string, certificate: string, home: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  await mkdir(home, { recursive: true });
  const ca = join(home, 'stand-in.pem');
  await writeFile(ca, certificate);
  const child: ChildProcess = spawn(process.execPath, ['server.js', '-a', '127.0.0.1', '-p', String(port), '-M', '0x01,0x05'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: home, AZURE_KEYVAULT_URI: vaultUrl, NODE_EXTRA_CA_CERTS: ca },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Loaded keys')) resolve();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    void exited.then(() => reject(new Error(`the seed exited before loading its keys: ${output}`)));
  });
  // from now on its output is only drained
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Signs `count` packed strings one by one and says how many signatures Taquito verifies. */
async function checked(url: string, pkh: string, publicKey: string, count: number): Promise<number> {
  const connection = await LeanConnection.open(new URL(url));
  let good = 0;
  try {
    for (let i = 0; i < count; i++) {
      const text = Buffer.from(`check ${i}`);
      const hex = `0501${text.length.toString(16).padStart(8, '0')}${text.toString('hex')}`;
      const answer = await connection.post(`/keys/${pkh}`, JSON.stringify(hex));
      const { signature } = JSON.parse(answer) as { signature: string };
      if (verifySignature(hex, publicKey, signature)) good += 1;
    }
  } finally {
    connection.close();
  }
  return good;
}

export async function run(): Promise<Cell[]> {
  const dir = process.env['SEED_DIR'];
  if (dir === undefined || dir === '') {
    console.log('SEED_DIR is not set: give the folder of the seed (lattejed/tezos-azure-hsm-signer with its local-bench patch, npm ci done); nothing measured');
    return [];
  }
  const base = await mkdtemp(join(tmpdir(), 'tezsigner-bench-seed-'));
  // the token the seed's patch answers every challenge with; tz2 keys by the name the seed knows
  const standIn = await startStandIn({ tz2: 2, tz3: 2, token: SEED_TOKEN, tz2Crv: 'SECP256K1' });
  const load = LoadProcess.start();
  const cells: Cell[] = [];
  try {
    const entry = await nodeEntry('packages/cli/test/support/azure-serve-process.ts');
    const env = { ...commandEnv(join(base, 'user')), ...entry.env, TEZSIGNER_TEST_AZURE_CA: standIn.certificate, TEZSIGNER_TEST_AZURE_TOKEN: standIn.token };
    const tezsigner = await startServedCommand({
      command: [process.execPath, ...entry.args],
      args: ['--vault', 'azure', '--azure-vault-url', standIn.url, '--magic-bytes', '0x05,0x11,0x12,0x13'],
      env,
    });
    const seed = await startSeed(dir, standIn.url, standIn.certificate, join(base, 'seed-home')).catch(async (err: unknown) => {
      await tezsigner.stop();
      throw err;
    });
    try {
      const keys = [...tezsigner.stderr().matchAll(/^tezsigner: key (tz[23]\w+) \(/gm)].map((match) => match[1] as string);
      const keySets: Array<[string, readonly string[]]> = [
        ['tz2', keys.filter((pkh) => pkh.startsWith('tz2')).slice(0, 1)],
        ['tz3', keys.filter((pkh) => pkh.startsWith('tz3')).slice(0, 1)],
        ['4 keys', keys],
      ];
      console.log(`tezsigner (the command's bundle) and the seed on one Key Vault stand-in, ${SLICES} alternating slices of ${SECONDS_PER_SLICE} s per cell`);
      let levelBase = 0;
      for (const [kind, ours, theirs] of KINDS) {
        for (const latencyMs of LATENCIES_MS) {
          standIn.setLatency(latencyMs);
          for (const [name, pkhs] of keySets) {
            for (const concurrency of CONCURRENCIES[kind]?.[name] ?? []) {
              // packed data with more clients than keys: clients share keys (nothing to race for)
              const clients = Array.from({ length: concurrency }, (_, i) => pkhs[i % pkhs.length] as string);
              const slice = (url: string, request: LoadOrder['request'], seconds: number) =>
                load.load({ url, pkhs: clients, seconds, levelBase: (levelBase += 1_000_000), ...(request === undefined ? {} : { request }) });
              await slice(tezsigner.url, ours, WARM_UP_SECONDS);
              await slice(seed.url, theirs, WARM_UP_SECONDS);
              const samples = { tezsigner: [] as Sample[], seed: [] as Sample[] };
              for (let i = 0; i < SLICES; i++) {
                samples.tezsigner.push(await slice(tezsigner.url, ours, SECONDS_PER_SLICE));
                samples.seed.push(await slice(seed.url, theirs, SECONDS_PER_SLICE));
              }
              const cell: Cell = { kind, latencyMs, keys: name, concurrency, tezsigner: figures(samples.tezsigner), seed: figures(samples.seed) };
              cells.push(cell);
              const cellFigures = (f: Figures) => `${f.perSecond.toFixed(0).padStart(6)} sig/s p50 ${f.p50.toFixed(2).padStart(7)} p99 ${f.p99.toFixed(2).padStart(7)}`;
              console.log(
                `${kind.padEnd(7)} ${`${latencyMs} ms`.padEnd(6)} ${name.padEnd(7)} c=${String(concurrency).padEnd(3)} tezsigner ${cellFigures(cell.tezsigner)}   seed ${cellFigures(cell.seed)}   ` +
                  `tezsigner ÷ seed: ${(cell.tezsigner.perSecond / cell.seed.perSecond).toFixed(2)}×`,
              );
            }
          }
        }
      }
      standIn.setLatency(0);
      for (const pkh of new Set(keySets.flatMap(([, pkhs]) => pkhs.slice(0, 1)))) {
        const publicKey = (JSON.parse(await (await fetch(`${tezsigner.url}/keys/${pkh}`)).text()) as { public_key: string }).public_key;
        const [ours, theirs] = [await checked(tezsigner.url, pkh, publicKey, CHECKED), await checked(seed.url, pkh, publicKey, CHECKED)];
        console.log(`${pkh}: signatures Taquito verifies: tezsigner ${ours}/${CHECKED}, seed ${theirs}/${CHECKED}`);
      }
    } finally {
      await seed.stop();
      await tezsigner.stop();
    }
    return cells;
  } finally {
    await load.close();
    standIn.stop();
    await rm(base, { recursive: true, force: true });
  }
}
