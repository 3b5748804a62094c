// The least any durable signer does per signature (sign, verify, one atomic fsynced write), shared
// by the commit floor (commit.ts), the bare server (bare-server-process.ts) and the page. Alone in
// its file so that the bare server's process loads only this and core, not the suites' Azure SDK.
import { join } from 'node:path';
import { blake2b256, derivePublicKey, generateSecretKey, signWithSecretKey, verifySignature } from '../packages/core/src/index.js';
import type { Curve, SecretKey, WatermarkStore } from '../packages/core/src/index.js';
import { attestation, tenderbakeBlock } from '../packages/http-server/test/support/consensus-bytes.js';
import { FileWatermarkStore } from '../packages/local-adapter/src/index.js';
import { writeFileAtomic } from '../packages/local-adapter/src/files/atomic-write.js';
import type { LoadOrder } from './load-worker.js';
import { measure, type Sample } from './measure.js';

export interface Backend {
  readonly name: string;
  /** one durable write of `content` for worker `w` (the floor's write) */
  write(worker: number, content: string): Promise<void>;
  /** a fresh watermark store for the signer */
  store(): Promise<WatermarkStore>;
}

/** What each request of the local cases signs at `level`: a block, or (tz4) an attestation. */
export type RequestKind = Exclude<NonNullable<LoadOrder['request']>, 'packed' | 'legacy block'>;
export const requestHex = (request: RequestKind, level: number) =>
  request === 'tz4 attestation' ? attestation('attestation', level, 0, { tz4: true }) : tenderbakeBlock(level, 0);

/** A tz4 key signs attestations (what a tz4 baker signs most); the others blocks. */
export const requestOf = (curve: Curve): RequestKind => (curve === 'bls12_381' ? 'tz4 attestation' : 'block');

/** The floor's work for one signature: sign, verify, one atomic durable write; per worker its own key. */
export function floorWork(backend: Backend, workers: number, curve: Curve = 'ed25519'): (worker: number, bytes: Uint8Array, level: number) => Promise<Uint8Array> {
  const keys: SecretKey[] = Array.from({ length: workers }, () => generateSecretKey(curve));
  const publicKeys = keys.map((sk) => derivePublicKey(sk));
  // each key verifies once now, as a signer's keys do in its warm-up: a P-256 key's first
  // verification builds its table (tens of ms), which would otherwise fall in a timed slice
  keys.forEach((sk, worker) => {
    const bytes = Uint8Array.of(0x05, worker);
    verifySignature(curve, publicKeys[worker] as Uint8Array, bytes, signWithSecretKey(sk, { bytes, digest: blake2b256(bytes) }));
  });
  return async (worker, bytes, level) => {
    const digest = blake2b256(bytes);
    const sk = keys[worker] as SecretKey;
    const signature = signWithSecretKey(sk, { bytes, digest });
    if (!verifySignature(curve, publicKeys[worker] as Uint8Array, bytes, signature)) throw new Error('floor: signature does not verify');
    await backend.write(worker, JSON.stringify({ level, round: 0, hash: Buffer.from(digest).toString('hex'), signature: Buffer.from(signature).toString('hex') }));
    return signature;
  };
}

/** What a served case signs, and how long its server is warmed up before its timed runs. */
export interface ServedCase {
  readonly curve?: Curve;
  readonly request?: RequestKind;
  readonly warmUpSeconds?: number;
}

/**
 * The floor in a tight loop, level after level, for `seconds` a call. Its keys are made once, as
 * a signer's are: each call with new keys would charge every slice their first use (a P-256
 * key's verification table, tens of milliseconds).
 */
export function floorLoop(backend: Backend, workers: number, { curve = 'ed25519', request = 'block' }: ServedCase = {}): (seconds: number) => Promise<Sample> {
  const work = floorWork(backend, workers, curve);
  return (seconds) => measure(workers, seconds, (worker, level) => work(worker, Buffer.from(requestHex(request, level), 'hex'), level));
}

/** The file store's floor and signers, each in a folder of its own under `home`. */
export function fileBackend(home: string): Backend {
  let stores = 0;
  return {
    name: 'file',
    write: (worker, content) => writeFileAtomic(join(home, `floor-${worker}.json`), content),
    store: async () => FileWatermarkStore.open({ home: join(home, `store-${stores++}`) }),
  };
}
