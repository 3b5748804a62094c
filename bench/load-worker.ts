// The baker's side of an HTTP benchmark, on a thread or in a process of its own: a baker is
// another process, so the client's CPU must not be charged to the signer's event loop. For
// each order, posts blocks (or tz4 attestations) at rising levels for `seconds`, one keep-alive
// connection per key, and hands back the latencies; or, for a burst, one level's
// preattestations of every key at once, then its attestations, as a baker sends them. It
// imports nothing of the signer's, so its own heap stays small and its GC pauses short: they
// would count as the signer's latency.
import { parentPort } from 'node:worker_threads';
import { CHAIN_ID_HEX, attestation, tenderbakeBlock } from '../packages/http-server/test/support/consensus-bytes.js';
import type { Sample } from './measure.js';
import { burstLoad, postLoad } from './post-load.js';

export interface LoadOrder {
  /** the server, or servers taken in turn by each client */
  readonly url: string | readonly string[];
  /** one key per concurrent client */
  readonly pkhs: readonly string[];
  readonly seconds: number;
  /** added to each client's level, so that slices of one case never repeat a level */
  readonly levelBase: number;
  /**
   * what is signed: blocks (the default), a tz4 baker's attestations, packed data (0x05, no
   * watermark), or blocks as bakers sent them before Tenderbake (0x01, for the original signer)
   */
  readonly request?: 'block' | 'tz4 attestation' | 'packed' | 'legacy block';
}

/** One level of a baker's consensus operations, every key at once, one kind after the other. */
export interface BurstOrder {
  readonly burst: true;
  readonly url: string;
  readonly pkhs: readonly string[];
  readonly level: number;
  readonly kinds: readonly ('preattestation' | 'attestation')[];
  /** tz4 keys sign the slotless BLS layout */
  readonly tz4?: boolean;
}

function run(order: LoadOrder | BurstOrder): Promise<Sample> {
  if ('burst' in order) {
    const bodies = order.kinds.map((kind) => JSON.stringify(attestation(kind, order.level, 0, { tz4: order.tz4 === true })));
    return burstLoad(order.url, order.pkhs, bodies);
  }
  const requestAt = (level: number) => {
    if (order.request === 'tz4 attestation') return attestation('attestation', level, 0, { tz4: true });
    if (order.request === 'packed') return packedString(level);
    return order.request === 'legacy block' ? legacyBlock(level) : tenderbakeBlock(level, 0);
  };
  return postLoad(order.url, order.pkhs, order.seconds, (level) => JSON.stringify(requestAt(order.levelBase + level)));
}

/** Packed Michelson data (0x05): the string `bench <n>`, a request no watermark applies to. */
function packedString(n: number): string {
  const text = Buffer.from(`bench ${n}`);
  return `0501${text.length.toString(16).padStart(8, '0')}${text.toString('hex')}`;
}

/** A block header as bakers signed it before Tenderbake: magic 0x01, the chain id, the level, then the rest (filler). */
function legacyBlock(level: number): string {
  return `01${CHAIN_ID_HEX}${(level >>> 0).toString(16).padStart(8, '0')}${'aa'.repeat(100)}`;
}

type Answer = { sample: Sample } | { error: string };

function answer(order: LoadOrder | BurstOrder, send: (answer: Answer) => void): void {
  run(order).then(
    (sample) => send({ sample }),
    (err: unknown) => send({ error: err instanceof Error ? err.message : String(err) }),
  );
}

// a thread of the bench's process, or a process of its own (started with an IPC channel)
if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (order: LoadOrder | BurstOrder) => answer(order, (a) => port.postMessage(a)));
} else if (process.send !== undefined) {
  process.on('message', (order: LoadOrder | BurstOrder) => answer(order, (a) => process.send?.(a)));
  // the bench went away: so does its load
  process.on('disconnect', () => process.exit(0));
}
