// The baker's side of an HTTP benchmark, on a thread of its own: a baker is another process,
// so the client's CPU must not be charged to the signer's event loop. For each order, posts
// blocks (or tz4 attestations) at rising levels for `seconds`, one keep-alive connection per
// key, and hands back the latencies. It imports nothing of the signer's, so its own heap stays
// small and its GC pauses short: they would count as the signer's latency.
import { parentPort } from 'node:worker_threads';
import { attestation, tenderbakeBlock } from '../packages/http-server/test/support/consensus-bytes.js';
import type { Sample } from './measure.js';
import { postLoad } from './post-load.js';

export interface LoadOrder {
  /** the server, or servers taken in turn by each client */
  readonly url: string | readonly string[];
  /** one key per concurrent client */
  readonly pkhs: readonly string[];
  readonly seconds: number;
  /** added to each client's level, so that slices of one case never repeat a level */
  readonly levelBase: number;
  /** what is signed: blocks (the default), or a tz4 baker's attestations */
  readonly request?: 'block' | 'tz4 attestation';
}

function run(order: LoadOrder): Promise<Sample> {
  const requestAt = (level: number) =>
    order.request === 'tz4 attestation' ? attestation('attestation', level, 0, { tz4: true }) : tenderbakeBlock(level, 0);
  return postLoad(order.url, order.pkhs, order.seconds, (level) => JSON.stringify(requestAt(order.levelBase + level)));
}

parentPort?.on('message', (order: LoadOrder) => {
  run(order).then(
    (sample) => parentPort?.postMessage({ sample }),
    (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) }),
  );
});
