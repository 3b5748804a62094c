// The baker's load: one keep-alive connection per key, each posting a signing request at rising
// levels for `seconds`; or one burst of requests of every key at once. Alone in its file: the
// load thread imports it without the signer's code.
import { HttpStatusError, LeanConnection } from './lean-connection.js';
import { measure, type Sample } from './measure.js';

/**
 * Posts `bodyAt(level)` to `/keys/<pkh>` for each of `pkhs` at once, level after level; the
 * latencies come back, and how many answers were not signatures (a server failing closed under
 * the load: counted, their latencies kept, not fatal). Given several servers (an HA pair behind
 * a round-robin balancer), each client sends its levels to them in turn.
 */
export async function postLoad(url: string | readonly string[], pkhs: readonly string[], seconds: number, bodyAt: (level: number) => string): Promise<BurstSample> {
  const urls = typeof url === 'string' ? [url] : url;
  const connections = await Promise.all(pkhs.map(() => Promise.all(urls.map((each) => LeanConnection.open(new URL(each))))));
  let failed = 0;
  try {
    const sample = await measure(pkhs.length, seconds, async (worker, level) => {
      const mine = connections[worker] as LeanConnection[];
      const at = level % mine.length;
      await (mine[at] as LeanConnection).post(`/keys/${pkhs[worker]}`, bodyAt(level)).catch(async (err: unknown) => {
        if (!(err instanceof HttpStatusError)) throw err;
        failed += 1;
        if (err.closed) mine[at] = await LeanConnection.open(new URL(urls[at] as string));
      });
    });
    return { ...sample, failed };
  } finally {
    for (const connection of connections.flat()) connection.close();
  }
}

/** A load's answers: each one's latency, the seconds it took (a burst: from its first request to its last answer), and how many were refused. */
export interface BurstSample extends Sample {
  /** answers other than 200 (a signer failing closed under the load): counted, not fatal */
  readonly failed: number;
}

/**
 * For each body in turn, posts it for every key of `pkhs` at once (a connection per key, opened
 * before the clock starts) and waits for all the answers; `seconds` is the time from the first
 * request sent to the last answer received, the latencies each request's own.
 */
export async function burstLoad(url: string, pkhs: readonly string[], bodies: readonly string[]): Promise<BurstSample> {
  const connections = await Promise.all(pkhs.map(() => LeanConnection.open(new URL(url))));
  try {
    const latencies: number[] = [];
    let failed = 0;
    const started = performance.now();
    for (const body of bodies) {
      await Promise.all(
        connections.map(async (connection, i) => {
          const t0 = performance.now();
          await connection.post(`/keys/${pkhs[i]}`, body).catch((err: unknown) => {
            if (!(err instanceof HttpStatusError)) throw err;
            failed += 1;
          });
          latencies.push(performance.now() - t0);
        }),
      );
    }
    return { latencies, seconds: (performance.now() - started) / 1000, failed };
  } finally {
    for (const connection of connections) connection.close();
  }
}
